#include "apps/host/host_responders.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "actors/dispatcher.hpp"
#include "protocols/checksum.hpp"
#include "protocols/ethernet.hpp"
#include "protocols/arp.hpp"
#include "protocols/icmpv4.hpp"
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
  std::vector<std::uint8_t> out(std::max(frame.size(), min_reply_room)); // as the frame actor gives
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

TEST(host_responders, answers_for_a_joined_links_address_as_for_its_own) {
  // A bridge member with no address of its own: the kernel's ARP request and the
  // lab's ping are answered as if the joined link's address were this link's.
  auto me = lab_identity("10.77.0.9/24");
  me.addresses.clear();
  me.joined.push_back(*ipv4_interface::from_string("10.77.0.3/24"));
  auto a = respond_to(kernel_arp_request, me);
  EXPECT_EQ(a.v.name(), "reply.arp_reply");
  EXPECT_EQ(a.reply, copy_of(kernel_arp_reply));
  me.joined = {*ipv4_interface::from_string("10.77.0.2/24")};
  EXPECT_EQ(respond_to(echo_request, me).reply, copy_of(echo_reply_from_etherbeam));
  EXPECT_EQ(me.address_facing(*ipv4_address::from_string("10.77.0.1")), ipv4_address::from_string("10.77.0.2"));
  EXPECT_EQ(me.broadcast_owner(*ipv4_address::from_string("10.77.0.255")), ipv4_address::from_string("10.77.0.2"));
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

TEST(host_responders, does_not_answer_fragments) {
  EXPECT_EQ(respond_to(fragment_first, lab_identity()).v.name(), "ignored.fragment");
  EXPECT_EQ(respond_to(fragment_last, lab_identity()).v.name(), "ignored.fragment");
}

// RFC 1122 §3.2.2.1 and RFC 792: type 3 code 3, quoting the datagram's IP
// header and its first 8 bytes, back to where it came from.
TEST(host_responders, says_port_unreachable_for_udp_to_a_port_nothing_serves) {
  auto a = respond_to(udp_datagram, lab_identity());
  ASSERT_EQ(a.v.name(), "reply.icmp_port_unreachable");
  auto eth = ethernet_frame::check(a.reply);
  ASSERT_TRUE(eth);
  auto request = ethernet_repr::parse(*ethernet_frame::check(udp_datagram));
  EXPECT_EQ(eth->destination(), request.source);
  auto ip = ipv4_packet::check(eth->payload());
  ASSERT_TRUE(ip);
  EXPECT_TRUE(ip->checksum_valid());
  EXPECT_EQ(ip->source().to_string(), "10.77.0.2");
  EXPECT_EQ(ip->destination().to_string(), "10.77.0.1");
  EXPECT_EQ(ip->protocol(), ip_protocol::icmp);
  auto icmp = icmpv4_packet::check(ip->payload());
  ASSERT_TRUE(icmp);
  EXPECT_TRUE(icmp->checksum_valid());
  EXPECT_EQ(icmp->type(), icmpv4_type::destination_unreachable);
  EXPECT_EQ(icmp->code(), icmpv4_unreachable::port);
  // The quote: as much of the datagram as the reply room holds (the frame's size, at
  // least min_reply_room) and a 576-byte error allows; at least its header and 8 bytes.
  auto datagram = ipv4_packet::check(ethernet_frame::check(udp_datagram)->payload());
  auto room = std::max(sizeof udp_datagram, min_reply_room) - ip_at - 20 - 8;
  std::size_t expected = std::min<std::size_t>(datagram->total_len(), std::max<std::size_t>(room, 28));
  std::vector<std::uint8_t> quoted(icmp->data().begin(), icmp->data().end());
  EXPECT_GT(expected, 28u);
  EXPECT_EQ(quoted, std::vector<std::uint8_t>(udp_datagram + ip_at, udp_datagram + ip_at + expected));
}

TEST(host_responders, never_says_port_unreachable_about_a_broadcast_and_limits_its_rate) {
  counter_registry counters;
  dispatcher host{etherbeam::apps::host::host_registrations(counters), counters};
  auto me = lab_identity();
  std::vector<std::uint8_t> out(min_reply_room);
  // The same datagram to the subnet's broadcast address (IP checksum made anew).
  auto broadcast = copy_of(udp_datagram);
  broadcast[ip_at + 19] = 0xff;
  for (int i = 0; i < 6; ++i) broadcast[i] = 0xff;
  fix_ip_checksum(broadcast);
  broadcast[ip_at + 26] = broadcast[ip_at + 27] = 0; // UDP checksum: none (RFC 768)
  EXPECT_EQ(host.decide(broadcast, me, out).name(), "ignored.no_udp_service");
  // Linux's default bucket: a burst of 50, then 1000 a second.
  int replied = 0, limited = 0;
  for (int i = 0; i < 60; ++i) {
    auto v = host.decide(udp_datagram, me, out);
    replied += v.name() == "reply.icmp_port_unreachable";
    limited += v.name() == "ignored.icmp_error_rate_limited";
  }
  EXPECT_GE(replied, 50);
  EXPECT_LT(replied, 60) << "a burst beyond 50 within microseconds is limited";
  EXPECT_EQ(replied + limited, 60);
}

TEST(host_responders, port_unreachable_can_be_turned_off) {
  counter_registry counters;
  etherbeam::apps::host::host_settings quiet;
  quiet.port_unreachable = false;
  dispatcher host{etherbeam::apps::host::host_registrations(counters, quiet), counters};
  std::vector<std::uint8_t> out(min_reply_room);
  EXPECT_EQ(host.decide(udp_datagram, lab_identity(), out).name(), "ignored.no_udp_service");
}

// RFC 5227 §2.4: another station claiming our address is a conflict, not a
// question: counted, and the address defended by one broadcast Announcement
// at most every 10 s (never a reply to the claimant).
TEST(host_responders, defends_an_address_another_station_claims_at_most_every_10_s) {
  counter_registry counters;
  std::vector<std::string> warnings;
  etherbeam::apps::host::host_settings s;
  s.warn = [&](const std::string& w) { warnings.push_back(w); };
  dispatcher host{etherbeam::apps::host::host_registrations(counters, s), counters};
  auto claim = copy_of(arp_request);
  std::copy(claim.begin() + 38, claim.begin() + 42, claim.begin() + 28); // sender IP := target IP (10.77.0.2)
  std::vector<std::uint8_t> out(min_reply_room);
  auto v = host.decide(claim, lab_identity(), out);
  ASSERT_EQ(v.name(), "reply.arp_defence");
  auto eth = ethernet_frame::check(std::span<const std::uint8_t>(out).first(v.reply_len));
  ASSERT_TRUE(eth);
  EXPECT_TRUE(eth->destination().is_broadcast());
  auto arp = arp_repr::parse(*arp_packet::check(eth->payload()));
  ASSERT_TRUE(arp);
  EXPECT_EQ(arp->operation, arp_operation::request);
  EXPECT_EQ(arp->sender_hardware, *lab_identity().mac);
  EXPECT_EQ(arp->sender_protocol.to_string(), "10.77.0.2");
  EXPECT_EQ(arp->target_protocol.to_string(), "10.77.0.2");
  EXPECT_EQ(host.decide(claim, lab_identity(), out).name(), "ignored.arp_conflict_defended_recently");
  EXPECT_EQ(counters.value("arp.address_conflicts"), 2u);
  ASSERT_EQ(warnings.size(), 1u) << "said once per defence";
  EXPECT_NE(warnings[0].find("claims our address 10.77.0.2"), std::string::npos) << warnings[0];
}

// RFC 5227 §2.1.1: a probe (sender 0.0.0.0) for our address is answered, as
// Linux answers it: to the prober's MAC, with 0.0.0.0 as the target address.
TEST(host_responders, answers_an_arp_probe_for_its_address) {
  auto probe = copy_of(arp_request);
  std::fill(probe.begin() + 28, probe.begin() + 32, 0); // sender IP := 0.0.0.0
  auto a = respond_to(probe, lab_identity());
  ASSERT_EQ(a.v.name(), "reply.arp_reply");
  auto eth = ethernet_frame::check(a.reply);
  auto arp = arp_repr::parse(*arp_packet::check(eth->payload()));
  ASSERT_TRUE(arp);
  EXPECT_EQ(arp->operation, arp_operation::reply);
  EXPECT_EQ(arp->sender_protocol.to_string(), "10.77.0.2");
  EXPECT_TRUE(arp->target_protocol.is_unspecified());
  EXPECT_EQ(eth->destination(), ethernet_repr::parse(*ethernet_frame::check(arp_request)).source);
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

// `ping -R 10.77.0.2` from the lab's client, as tcpdump captured it. RFC 1122
// §3.2.2.6: the reply carries the Record Route option with this host added,
// so that ping shows the round trip.
const std::uint8_t record_route_echo_request[] = {
  0x42, 0x05, 0x6f, 0x3f, 0x0c, 0xc2, 0xa2, 0x58, 0x3f, 0xd4, 0x3c, 0xbf, 0x08, 0x00, 0x4f, 0x00,
  0x00, 0x7c, 0x5e, 0x14, 0x40, 0x00, 0x40, 0x01, 0x8b, 0x73, 0x0a, 0x4d, 0x00, 0x01, 0x0a, 0x4d,
  0x00, 0x02, 0x01, 0x07, 0x27, 0x08, 0x0a, 0x4d, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
  0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
  0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x08, 0x00, 0x7f, 0x91, 0x22, 0x49,
  0x00, 0x01, 0x17, 0xbc, 0x10, 0x6b, 0x00, 0x00, 0x00, 0x00, 0x6e, 0x2a, 0x01, 0x00, 0x00, 0x00,
  0x00, 0x00, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d,
  0x1e, 0x1f, 0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27, 0x28, 0x29, 0x2a, 0x2b, 0x2c, 0x2d,
  0x2e, 0x2f, 0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37};

TEST(host_responders, returns_a_record_route_option_with_its_own_address_added_twice_as_linux_does) {
  auto me = lab_identity();
  me.mac = mac_address::from_string("42:05:6f:3f:0c:c2");
  auto a = respond_to(record_route_echo_request, me);
  ASSERT_EQ(a.v.name(), "reply.icmp_echo_reply");
  ASSERT_EQ(a.reply.size(), sizeof record_route_echo_request);
  const auto& r = a.reply;
  EXPECT_TRUE(std::equal(r.begin(), r.begin() + 6, record_route_echo_request + 6)) << "to the sender's MAC";
  EXPECT_EQ(r[ip_at] & 0x0f, 15) << "the options kept";
  EXPECT_EQ(ipv4_address::read(r, ip_at + 12).to_string(), "10.77.0.2");
  EXPECT_EQ(ipv4_address::read(r, ip_at + 16).to_string(), "10.77.0.1");
  EXPECT_EQ(r[ip_at + 23], 16) << "the pointer past our two slots";
  EXPECT_EQ(ipv4_address::read(r, ip_at + 24).to_string(), "10.77.0.1");
  EXPECT_EQ(ipv4_address::read(r, ip_at + 28).to_string(), "10.77.0.2") << "as the request's receiver";
  EXPECT_EQ(ipv4_address::read(r, ip_at + 32).to_string(), "10.77.0.2") << "as the reply's sender";
  EXPECT_TRUE(internet_checksum{}.add(std::span<const std::uint8_t>(r).subspan(ip_at, 60)).verifies());
  auto icmp = std::span<const std::uint8_t>(r).subspan(ip_at + 60);
  EXPECT_EQ(icmp[0], icmpv4_type::echo_reply);
  EXPECT_TRUE(internet_checksum{}.add(icmp).verifies());
  EXPECT_TRUE(std::equal(icmp.begin() + 4, icmp.end(), record_route_echo_request + ip_at + 60 + 4))
    << "identifier, sequence and data as asked";
}
