#include "protocols/checksum.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "tests/unit/frame_bytes.hpp"

using namespace etherbeam::protocols;
using namespace etherbeam::test_frames;

TEST(internet_checksum, matches_rfc1071_section_3_example) {
  // RFC 1071 §3: these bytes sum to 0xddf2, so the checksum is its complement.
  std::vector<std::uint8_t> bytes{0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};
  EXPECT_EQ(checksum_of(bytes), 0x220d);
}

TEST(internet_checksum, pads_an_odd_trailing_byte_with_zero) {
  std::vector<std::uint8_t> odd{0x12, 0x34, 0x56};
  std::vector<std::uint8_t> padded{0x12, 0x34, 0x56, 0x00};
  EXPECT_EQ(checksum_of(odd), checksum_of(padded));
}

TEST(internet_checksum, verifies_a_captured_ipv4_header) {
  std::span<const std::uint8_t> header{echo_request + ip_at, 20};
  EXPECT_TRUE(internet_checksum{}.add(header).verifies());
}

TEST(internet_checksum, sums_pieces_like_the_whole) {
  std::span<const std::uint8_t> all{echo_request, sizeof echo_request};
  EXPECT_EQ(internet_checksum{}.add(all.first(40)).add(all.subspan(40)).value(), checksum_of(all));
}
