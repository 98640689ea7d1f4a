#include "protocols/arp.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "tests/unit/frame_bytes.hpp"

using namespace etherbeam::protocols;
using namespace etherbeam::test_frames;

namespace {
std::span<const std::uint8_t> arp_of(std::span<const std::uint8_t> frame, std::size_t at = 14) {
  return frame.subspan(at);
}
} // namespace

TEST(arp, parses_a_captured_arping_request) {
  auto p = arp_packet::check(arp_of(arp_request));
  ASSERT_TRUE(p);
  auto r = arp_repr::parse(*p);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->operation, arp_operation::request);
  EXPECT_EQ(r->sender_hardware.to_string(), "1e:58:23:16:e0:6f");
  EXPECT_EQ(r->sender_protocol.to_string(), "10.77.0.1");
  EXPECT_EQ(r->target_protocol.to_string(), "10.77.0.2");
}

TEST(arp, emits_the_reply_the_kernel_sent) {
  auto reply = arp_repr::parse(*arp_packet::check(arp_of(kernel_arp_reply)));
  ASSERT_TRUE(reply);
  std::vector<std::uint8_t> out(arp_repr::buffer_len());
  reply->emit(out);
  EXPECT_EQ(out, std::vector<std::uint8_t>(kernel_arp_reply + 14, kernel_arp_reply + 42));
}

TEST(arp, refuses_truncated_packets) {
  std::span<const std::uint8_t> cut{arp_request + 14, 27};
  EXPECT_EQ(arp_packet::check(cut).error(), parse_error::truncated);
}

TEST(arp, refuses_other_hardware_protocols_and_operations) {
  auto bytes = copy_of(arp_request);
  bytes[15] = 6; // hardware type 6 (IEEE 802)
  EXPECT_EQ(arp_repr::parse(*arp_packet::check(arp_of(bytes))).error(),
            parse_error::unsupported_hardware);
  bytes = copy_of(arp_request);
  bytes[16] = 0x86; bytes[17] = 0xdd; // protocol type IPv6
  EXPECT_EQ(arp_repr::parse(*arp_packet::check(arp_of(bytes))).error(),
            parse_error::unsupported_protocol);
  bytes = copy_of(arp_request);
  bytes[21] = 3; // RARP request
  EXPECT_EQ(arp_repr::parse(*arp_packet::check(arp_of(bytes))).error(), parse_error::bad_operation);
}

TEST(arp, reads_a_request_behind_a_vlan_tag) {
  auto r = arp_repr::parse(*arp_packet::check(arp_of(vlan_arp_request, 18)));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->target_protocol.to_string(), "10.77.0.2");
}
