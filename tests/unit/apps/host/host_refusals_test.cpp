#include "apps/host/host_refusals.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "actors/dispatcher.hpp"
#include "protocols/checksum.hpp"
#include "protocols/ethernet.hpp"
#include "protocols/icmpv4.hpp"
#include "protocols/ipv4.hpp"
#include "protocols/offloaded_checksum.hpp"
#include "tests/unit/frame_bytes.hpp"

using namespace etherbeam::actors;
using namespace etherbeam::protocols;
using namespace etherbeam::test_frames;
using etherbeam::apps::host::host_registrations;
using etherbeam::apps::host::host_settings;

namespace {

// Who answered in lab_kernel_refusals.pcap: the server-side kernel, 10.77.0.3,
// serving nothing, with the MAC its replies came from.
stack_identity kernels_identity() {
  stack_identity me;
  me.addresses.push_back(*ipv4_interface::from_string("10.77.0.3/24"));
  me.mac = mac_address::read(kernel_reset_to_syn, 6);
  return me;
}

struct host_under_test {
  counter_registry counters;
  dispatcher host;
  explicit host_under_test(const host_settings& s = {}) : host(host_registrations(counters, s), counters) {}

  // The verdict's counter name, and the reply.
  std::pair<std::string, std::vector<std::uint8_t>> answer(std::span<const std::uint8_t> frame) {
    std::vector<std::uint8_t> out(std::max(frame.size(), min_reply_room));
    auto v = host.decide(frame, kernels_identity(), out);
    out.resize(v.reply_len);
    return {v.name(), out};
  }
};

// curl's SYN as raw_binder relays it: the capture holds it as the client's
// kernel left it, its TCP checksum for "hardware" to finish (veth).
std::vector<std::uint8_t> completed_syn() {
  auto syn = copy_of(syn_to_a_closed_port);
  EXPECT_TRUE(complete_offloaded_checksum(syn));
  return syn;
}

} // namespace

// RFC 9293 §3.10.7.1: a segment without ACK is answered RST+ACK, acknowledging
// all it occupied; byte for byte what the kernel sent (window 0, DF, TTL 64).
TEST(host_refusals, answers_a_syn_to_a_closed_port_with_the_kernels_reset) {
  host_under_test h;
  auto [name, reply] = h.answer(completed_syn());
  EXPECT_EQ(name, "reply.tcp_reset");
  EXPECT_EQ(reply, copy_of(kernel_reset_to_syn));
}

// With ACK: a bare RST from the acknowledgment number.
TEST(host_refusals, answers_an_ack_to_a_closed_port_with_the_kernels_reset) {
  host_under_test h;
  auto [name, reply] = h.answer(ack_to_a_closed_port);
  EXPECT_EQ(name, "reply.tcp_reset");
  EXPECT_EQ(reply, copy_of(kernel_reset_to_ack));
}

TEST(host_refusals, never_resets_a_reset_a_broadcast_or_a_segment_whose_checksum_fails) {
  host_under_test h;
  auto reset = copy_of(kernel_reset_to_ack); // a reset to the kernel's side, turned around
  for (int i = 0; i < 6; ++i) std::swap(reset[i], reset[6 + i]);
  for (int i = 0; i < 4; ++i) std::swap(reset[ip_at + 12 + i], reset[ip_at + 16 + i]);
  EXPECT_EQ(h.answer(reset).first, "ignored.no_tcp_service");

  auto broadcast = copy_of(ack_to_a_closed_port);
  for (int i = 0; i < 6; ++i) broadcast[i] = 0xff;
  EXPECT_EQ(h.answer(broadcast).first, "ignored.no_tcp_service");

  auto damaged = copy_of(ack_to_a_closed_port);
  damaged[ip_at + 20 + 8] ^= 0x01; // the acknowledgment number, checksum unchanged
  EXPECT_EQ(h.answer(damaged).first, "ignored.tcp_bad_checksum");
  EXPECT_EQ(h.answer(syn_to_a_closed_port).first, "ignored.tcp_bad_checksum"); // its checksum unfinished
}

// RFC 1122 §3.2.2.1: type 3 code 2, as the kernel answered, quoting the whole
// datagram as the kernel did; all but the IP identification (the kernel's is
// random, etherbeam's 0) and so the IP checksum.
TEST(host_refusals, answers_an_unknown_ip_protocol_with_protocol_unreachable) {
  host_under_test h;
  auto [name, reply] = h.answer(protocol_253_datagram);
  ASSERT_EQ(name, "reply.icmp_protocol_unreachable");
  auto kernels = copy_of(kernel_protocol_unreachable);
  auto ip = ipv4_packet::check(ethernet_frame::check(reply)->payload());
  ASSERT_TRUE(ip);
  EXPECT_TRUE(ip->checksum_valid());
  auto icmp = icmpv4_packet::check(ip->payload());
  ASSERT_TRUE(icmp);
  EXPECT_TRUE(icmp->checksum_valid());
  EXPECT_EQ(icmp->type(), icmpv4_type::destination_unreachable);
  EXPECT_EQ(icmp->code(), icmpv4_unreachable::protocol);
  ASSERT_EQ(reply.size(), kernels.size());
  for (std::size_t at : {ip_at + 4, ip_at + 5, ip_at + 10, ip_at + 11}) reply[at] = kernels[at] = 0;
  EXPECT_EQ(reply, kernels);
}

TEST(host_refusals, each_can_be_turned_off) {
  host_settings quiet;
  quiet.tcp_reset = false;
  quiet.protocol_unreachable = false;
  host_under_test h(quiet);
  EXPECT_EQ(h.answer(ack_to_a_closed_port).first, "ignored.no_tcp_service");
  EXPECT_EQ(h.answer(protocol_253_datagram).first, "ignored.unsupported_ip_protocol");
}

// A port an application serves is its own: the host resets only the others.
TEST(host_refusals, a_served_tcp_port_is_left_to_its_application) {
  struct taken final : frame_decider {
    named_counter& counter;
    explicit taken(counter_registry& c) : counter(c.add("test.port_80")) {}
    verdict decide(const inbound_frame&, byte_buffer) const override { return verdict::ignore(counter); }
  };
  counter_registry counters;
  auto registrations = host_registrations(counters);
  registrations.push_back({"web", frame_match::tcp(80), std::make_shared<taken>(counters)});
  dispatcher host(registrations, counters);
  std::vector<std::uint8_t> out(min_reply_room);
  EXPECT_EQ(host.decide(ack_to_a_closed_port, kernels_identity(), out).name(), "test.port_80");
}

// The "land" attack: a SYN from our own address and port to itself. Linux
// drops it as a martian source; answering would send a reset to ourselves.
TEST(host_refusals, a_segment_from_our_own_address_is_dropped_unanswered) {
  host_under_test h;
  auto land = completed_syn();
  std::copy_n(land.begin() + ip_at + 16, 4, land.begin() + ip_at + 12); // source = destination, 10.77.0.3
  land[ip_at + 10] = land[ip_at + 11] = 0;
  auto sum = checksum_of(std::span<const std::uint8_t>(land).subspan(ip_at, 20));
  land[ip_at + 10] = static_cast<std::uint8_t>(sum >> 8);
  land[ip_at + 11] = static_cast<std::uint8_t>(sum);
  EXPECT_EQ(h.answer(land).first, "ignored.bad_source_address");
}
