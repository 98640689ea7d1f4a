#include "protocols/frame_repr.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "tests/unit/frame_bytes.hpp"

using namespace etherbeam::protocols;
using namespace etherbeam::test_frames;

namespace {

ethernet_repr ethernet_of(std::span<const std::uint8_t> frame) {
  return ethernet_repr::parse(*ethernet_frame::check(frame));
}

} // namespace

// The kernel's own reply, rebuilt from reprs: every layer's bytes, and the
// ethertype filled in by the emitter.
TEST(frame_repr, emits_the_kernels_arp_reply_from_its_reprs) {
  auto request = ethernet_of(kernel_arp_request);
  auto arp = *arp_repr::parse(*arp_packet::check(ethernet_frame::check(kernel_arp_request)->payload()));
  auto me = ethernet_of(kernel_arp_reply).source;
  frame_repr reply{answering(request, me),
                   arp_repr{arp_operation::reply, me, arp.target_protocol, arp.sender_hardware, arp.sender_protocol}};
  std::vector<std::uint8_t> out(reply.buffer_len());
  ASSERT_EQ(reply.emit(out), sizeof kernel_arp_reply);
  EXPECT_EQ(out, copy_of(kernel_arp_reply));
}

TEST(frame_repr, emits_an_echo_reply_with_length_protocol_and_checksums_filled_in) {
  auto frame = *ethernet_frame::check(echo_request);
  auto packet = *ipv4_packet::check(frame.payload());
  auto ip = *ipv4_repr::parse(packet);
  auto echo = *icmpv4_echo_repr::parse(*icmpv4_packet::check(packet.payload()));
  auto me = ethernet_of(echo_reply_from_etherbeam).source;
  frame_repr reply{answering(ethernet_repr::parse(frame), me),
                   ipv4_datagram_repr{answering(ip, ip.destination),
                                      icmpv4_echo_repr{false, echo.identifier, echo.sequence, echo.data}}};
  std::vector<std::uint8_t> out(sizeof echo_reply_from_etherbeam);
  ASSERT_EQ(reply.emit(out), out.size());
  EXPECT_EQ(out, copy_of(echo_reply_from_etherbeam));
}

TEST(frame_repr, emits_udp_with_its_pseudo_header_checksum) {
  auto frame = *ethernet_frame::check(udp_datagram);
  auto packet = *ipv4_packet::check(frame.payload());
  auto ip = *ipv4_repr::parse(packet);
  auto udp = *udp_repr::parse(*udp_packet::check(packet.payload()), ip.source, ip.destination);
  frame_repr same{ethernet_repr::parse(frame), ipv4_datagram_repr{ip, udp}};
  std::vector<std::uint8_t> out(same.buffer_len());
  ASSERT_EQ(same.emit(out), out.size());
  // Read back: every layer parses, checksums verify, the payload is intact.
  auto back = *ipv4_packet::check(ethernet_frame::check(out)->payload());
  ASSERT_TRUE(ipv4_repr::parse(back));
  auto again = udp_repr::parse(*udp_packet::check(back.payload()), ip.source, ip.destination);
  ASSERT_TRUE(again);
  EXPECT_TRUE(std::equal(again->payload.begin(), again->payload.end(), udp.payload.begin(), udp.payload.end()));
  EXPECT_EQ(back.protocol(), ip_protocol::udp);
}

TEST(frame_repr, writes_nothing_into_a_buffer_too_small) {
  frame_repr reply{ethernet_of(kernel_arp_request), arp_repr{}};
  std::vector<std::uint8_t> out(reply.buffer_len() - 1, 0xaa);
  EXPECT_EQ(reply.emit(out), 0u);
  EXPECT_EQ(out, std::vector<std::uint8_t>(reply.buffer_len() - 1, 0xaa));
}

namespace {

ipv4_packet ip_of(std::span<const std::uint8_t> frame) { return *ipv4_packet::check(ethernet_frame::check(frame)->payload()); }

} // namespace

// RFC 9293 §3.10.7.1: the kernel's reset to a bare ACK, rebuilt (RST from its
// acknowledgment number, DF, TTL 64, identification 0).
TEST(frame_repr, emits_the_kernels_tcp_reset) {
  auto link = answering(ethernet_of(ack_to_a_closed_port), ethernet_of(kernel_reset_to_ack).source);
  std::vector<std::uint8_t> out(128);
  out.resize(emit_tcp_reset(link, ip_of(ack_to_a_closed_port), 0, out));
  EXPECT_EQ(out, copy_of(kernel_reset_to_ack));
  auto reset = copy_of(kernel_reset_to_ack);
  EXPECT_EQ(emit_tcp_reset(link, ip_of(reset), 0, out), 0u) << "never a reset for a reset";
}

// The kernel's protocol unreachable, rebuilt but for its random IP
// identification: the whole datagram quoted, as it fits in 576 bytes.
TEST(frame_repr, emits_the_kernels_icmp_error_quoting_what_fits) {
  auto link = answering(ethernet_of(protocol_253_datagram), ethernet_of(kernel_protocol_unreachable).source);
  auto about = ip_of(protocol_253_datagram);
  std::vector<std::uint8_t> out(128);
  out.resize(emit_icmp_error(link, about.destination(), about, 3, 2, 0, out));
  auto kernels = copy_of(kernel_protocol_unreachable);
  ASSERT_EQ(out.size(), kernels.size());
  for (std::size_t at : {ip_at + 4, ip_at + 5, ip_at + 10, ip_at + 11}) out[at] = kernels[at] = 0;
  EXPECT_EQ(out, kernels);
  // With less room, less is quoted, never under the header and 8 bytes.
  std::vector<std::uint8_t> small(14 + 20 + 8 + 28);
  ASSERT_EQ(emit_icmp_error(link, about.destination(), about, 3, 2, 0, small), small.size());
  EXPECT_EQ(ip_of(small).total_len(), 20u + 8 + 28);
}
