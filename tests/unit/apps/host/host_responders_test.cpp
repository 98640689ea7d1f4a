#include "apps/host/host_responders.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "actors/dispatcher.hpp"
#include "protocols/checksum.hpp"
#include "protocols/ethernet.hpp"
#include "protocols/ipv4.hpp"
#include "tests/unit/frame_bytes.hpp"

using namespace etherbeam::actors;
using namespace etherbeam::protocols;
using namespace etherbeam::test_frames;

namespace {

// The lab's server side: etherbeam owned 10.77.0.2, the kernel 10.77.0.3.
stack_identity lab_identity(const char* address = "10.77.0.2/24") {
  stack_identity me;
  me.addresses.push_back(*ipv4_interface::from_string(address));
  me.mac = mac_address::from_string("ce:89:d7:ed:bc:38");
  return me;
}

struct answer {
  verdict v;
  std::vector<std::uint8_t> reply;
};

// The host application behind the dispatcher, as etherbeam runs it.
verdict respond(std::span<const std::uint8_t> frame, const stack_identity& me, std::span<std::uint8_t> out) {
  static counter_registry counters;
  static const dispatcher host{etherbeam::apps::host::host_registrations(counters), counters};
  return host.decide(frame, me, out);
}

answer respond_to(std::span<const std::uint8_t> frame, const stack_identity& me) {
  std::vector<std::uint8_t> out(frame.size());
  auto v = respond(frame, me, out);
  out.resize(v.reply_len);
  return {v, out};
}

void fix_ip_checksum(std::vector<std::uint8_t>& frame, std::size_t ip = ip_at) {
  frame[ip + 10] = frame[ip + 11] = 0;
  auto sum = checksum_of(std::span<const std::uint8_t>(frame).subspan(ip, 20));
  frame[ip + 10] = static_cast<std::uint8_t>(sum >> 8);
  frame[ip + 11] = static_cast<std::uint8_t>(sum);
}

} // namespace

TEST(host_responders, answers_arp_exactly_as_the_kernel_did) {
  auto a = respond_to(kernel_arp_request, lab_identity("10.77.0.3/24"));
  ASSERT_EQ(a.v.outcome, verdict::kind::reply);
  EXPECT_EQ(a.v.name(), "reply.arp_reply");
  EXPECT_EQ(a.reply, copy_of(kernel_arp_reply));
}

TEST(host_responders, answers_echo_with_the_kernels_icmp_bytes) {
  auto a = respond_to(kernel_echo_request, lab_identity("10.77.0.3/24"));
  ASSERT_EQ(a.v.outcome, verdict::kind::reply);
  ASSERT_EQ(a.reply.size(), sizeof kernel_echo_reply);
  // Ethernet header and the whole ICMP message (id, sequence, payload) match;
  // the IP header differs only in identification and DF, which are ours to pick.
  EXPECT_TRUE(std::equal(a.reply.begin(), a.reply.begin() + 14, kernel_echo_reply));
  EXPECT_TRUE(std::equal(a.reply.begin() + icmp_at, a.reply.end(), kernel_echo_reply + icmp_at));
  auto ip = ipv4_packet::check(std::span<const std::uint8_t>(a.reply).subspan(ip_at));
  ASSERT_TRUE(ip);
  EXPECT_TRUE(ip->checksum_valid());
  EXPECT_EQ(ip->source().to_string(), "10.77.0.3");
  EXPECT_EQ(ip->destination().to_string(), "10.77.0.1");
  EXPECT_EQ(ip->ttl(), 64);
}

TEST(host_responders, reproduces_its_own_captured_echo_reply) {
  auto a = respond_to(echo_request, lab_identity());
  EXPECT_EQ(a.reply, copy_of(echo_reply_from_etherbeam));
}

TEST(host_responders, keeps_the_vlan_tag_of_the_request) {
  for (auto frame : {std::span<const std::uint8_t>(vlan_echo_request),
                     std::span<const std::uint8_t>(vlan_arp_request)}) {
    auto a = respond_to(frame, lab_identity());
    ASSERT_EQ(a.v.outcome, verdict::kind::reply);
    auto eth = ethernet_frame::check(a.reply);
    ASSERT_TRUE(eth);
    ASSERT_EQ(eth->vlan_count(), 1u);
    EXPECT_EQ(eth->vlan(0).vlan_id(), 10);
  }
}

TEST(host_responders, stays_silent_for_addresses_it_does_not_own) {
  auto me = lab_identity("10.77.0.9/24");
  EXPECT_EQ(respond_to(arp_request, me).v.name(), "ignored.not_our_address");
  EXPECT_EQ(respond_to(echo_request, me).v.name(), "ignored.not_our_address");
}

TEST(host_responders, answers_broadcast_ping_only_when_configured) {
  auto bytes = copy_of(echo_request);
  bytes[ip_at + 19] = 0xff; // destination 10.77.0.255
  std::fill(bytes.begin(), bytes.begin() + 6, 0xff);
  fix_ip_checksum(bytes);
  auto me = lab_identity();
  EXPECT_EQ(respond_to(bytes, me).v.name(), "ignored.broadcast_ping_ignored");
  me.answer_broadcast_ping = true;
  auto a = respond_to(bytes, me);
  ASSERT_EQ(a.v.outcome, verdict::kind::reply);
  EXPECT_EQ(ipv4_packet::check(std::span<const std::uint8_t>(a.reply).subspan(ip_at))->source().to_string(),
            "10.77.0.2");
}

TEST(host_responders, never_answers_frames_claiming_our_mac_or_a_group_mac) {
  auto bytes = copy_of(echo_request);
  std::copy(bytes.begin(), bytes.begin() + 6, bytes.begin() + 6); // source := our MAC
  EXPECT_EQ(respond_to(bytes, lab_identity()).v.name(), "ignored.own_source_mac");
  bytes = copy_of(arp_request);
  bytes[6] |= 0x01;
  EXPECT_EQ(respond_to(bytes, lab_identity()).v.name(), "ignored.group_source_mac");
}

TEST(host_responders, ignores_unicast_frames_for_other_stations) {
  auto bytes = copy_of(echo_request);
  bytes[5] ^= 0x01;
  EXPECT_EQ(respond_to(bytes, lab_identity()).v.name(), "ignored.not_our_mac");
}

TEST(host_responders, drops_bad_checksums_as_malformed) {
  auto bytes = copy_of(echo_request);
  bytes[ip_at + 8] = 1; // ttl changed without fixing the checksum
  auto a = respond_to(bytes, lab_identity());
  EXPECT_EQ(a.v.outcome, verdict::kind::malformed);
  EXPECT_EQ(a.v.name(), "malformed.ipv4.bad_checksum");
  bytes = copy_of(echo_request);
  bytes.back() ^= 1;
  a = respond_to(bytes, lab_identity());
  EXPECT_EQ(a.v.name(), "malformed.icmpv4.bad_checksum");
}

TEST(host_responders, does_not_answer_fragments_or_udp) {
  EXPECT_EQ(respond_to(fragment_first, lab_identity()).v.name(), "ignored.fragment");
  EXPECT_EQ(respond_to(fragment_last, lab_identity()).v.name(), "ignored.fragment");
  EXPECT_EQ(respond_to(udp_datagram, lab_identity()).v.name(), "ignored.no_udp_service");
}

TEST(host_responders, ignores_gratuitous_arp_for_our_own_address) {
  auto bytes = copy_of(arp_request);
  std::copy(bytes.begin() + 38, bytes.begin() + 42, bytes.begin() + 28); // sender IP := target IP
  EXPECT_EQ(respond_to(bytes, lab_identity()).v.outcome, verdict::kind::ignored);
}

TEST(host_responders, waits_for_a_mac_before_answering) {
  auto me = lab_identity();
  me.mac.reset();
  EXPECT_EQ(respond_to(arp_request, me).v.name(), "ignored.own_mac_unknown");
}

TEST(host_responders, never_replies_to_a_truncated_frame_nor_beyond_its_size) {
  for (auto frame : {std::span<const std::uint8_t>(echo_request), std::span<const std::uint8_t>(arp_request),
                     std::span<const std::uint8_t>(vlan_echo_request),
                     std::span<const std::uint8_t>(echo_request_record_route)}) {
    for (std::size_t len = 0; len < frame.size(); ++len) {
      std::vector<std::uint8_t> cut(frame.begin(), frame.begin() + len);
      std::vector<std::uint8_t> out(len);
      auto v = respond(cut, lab_identity(), out);
      if (v.outcome == verdict::kind::reply) {
        // Only ARP may still answer once Ethernet padding is cut; never longer.
        EXPECT_LE(v.reply_len, len);
      }
    }
  }
}
