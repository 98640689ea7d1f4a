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

TEST(internet_checksum, word_at_a_time_sum_matches_rfc1071_sixteen_bit_sum) {
  // The sum reads 32-bit words in host order; RFC 1071's definition adds
  // big-endian 16-bit words. Every length from 0 to 300, every byte value.
  std::vector<std::uint8_t> bytes(300);
  for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<std::uint8_t>(i * 151 + 89);
  for (std::size_t len = 0; len <= bytes.size(); ++len) {
    std::uint32_t sum = 0;
    for (std::size_t i = 0; i < len; i += 2)
      sum += static_cast<std::uint32_t>(bytes[i] << 8 | (i + 1 < len ? bytes[i + 1] : 0));
    while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
    EXPECT_EQ(checksum_of(std::span<const std::uint8_t>(bytes.data(), len)), static_cast<std::uint16_t>(~sum))
      << "length " << len;
  }
  std::vector<std::uint8_t> ones(1500, 0xff); // sums that carry on every word
  EXPECT_EQ(checksum_of(ones), 0x0000);
}
