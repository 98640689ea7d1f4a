#include "protocols/udp.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "protocols/ipv4.hpp"
#include "tests/unit/frame_bytes.hpp"

using namespace etherbeam::protocols;
using namespace etherbeam::test_frames;

namespace {
const ipv4_address client{0x0a4d0001};
const ipv4_address server{0x0a4d0002};
std::span<const std::uint8_t> udp_of(std::span<const std::uint8_t> frame) { return frame.subspan(34); }
} // namespace

TEST(udp, parses_a_captured_datagram_and_verifies_its_checksum) {
  auto p = udp_packet::check(udp_of(udp_datagram));
  ASSERT_TRUE(p);
  EXPECT_NE(p->checksum(), 0); // the kernel computed one
  auto r = udp_repr::parse(*p, client, server);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->source_port, 39988);
  EXPECT_EQ(r->destination_port, 9999);
  EXPECT_EQ(std::string(r->payload.begin(), r->payload.end()), "etherbeam");
}

TEST(udp, refuses_a_checksum_over_the_wrong_pseudo_header) {
  auto p = udp_packet::check(udp_of(udp_datagram));
  EXPECT_EQ(udp_repr::parse(*p, client, ipv4_address{0x0a4d0003}).error(), parse_error::bad_checksum);
}

TEST(udp, accepts_a_zero_checksum_as_none) {
  auto bytes = copy_of(udp_datagram);
  bytes[34 + 6] = 0; bytes[34 + 7] = 0;
  EXPECT_TRUE(udp_repr::parse(*udp_packet::check(udp_of(bytes)), client, server));
}

TEST(udp, refuses_lying_length_fields) {
  auto bytes = copy_of(udp_datagram);
  bytes[34 + 5] = 200; // longer than the datagram
  EXPECT_EQ(udp_packet::check(udp_of(bytes)).error(), parse_error::truncated);
  bytes[34 + 5] = 7;   // shorter than the header
  EXPECT_EQ(udp_packet::check(udp_of(bytes)).error(), parse_error::bad_length);
  std::span<const std::uint8_t> cut{udp_datagram + 34, 7};
  EXPECT_EQ(udp_packet::check(cut).error(), parse_error::truncated);
}

TEST(udp, emits_the_captured_datagram_byte_for_byte) {
  auto r = *udp_repr::parse(*udp_packet::check(udp_of(udp_datagram)), client, server);
  std::vector<std::uint8_t> out(r.buffer_len());
  r.emit(out, client, server);
  EXPECT_EQ(out, std::vector<std::uint8_t>(udp_datagram + 34, udp_datagram + sizeof udp_datagram));
}
