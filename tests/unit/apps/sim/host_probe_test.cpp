#include "apps/sim/host_probe.hpp"

#include <gtest/gtest.h>

#include "protocols/arp.hpp"
#include "protocols/ethernet.hpp"
#include "protocols/frame_repr.hpp"
#include "protocols/icmpv4.hpp"
#include "protocols/ipv4.hpp"
#include "tests/unit/test_values.hpp"

using namespace etherbeam::apps::sim;
using namespace etherbeam::protocols;
using etherbeam::testing::ip;
using etherbeam::testing::mac;

namespace {

const mac_address host_mac = mac("02:5e:00:00:01:00"), peer_mac = mac("ce:89:d7:ed:bc:38");
const probe_source source{host_mac, {ip("10.77.2.10"), 22}, 0, 0x5157};
const host_probe::clock::time_point asked_at{};

// What the peer's kernel would answer: an ARP reply, built from the request.
std::vector<std::uint8_t> arp_reply_to(const std::vector<std::uint8_t>& request, mac_address from) {
  auto eth = ethernet_frame::check(request);
  auto asked = arp_repr::parse(*arp_packet::check(eth->payload()));
  frame_repr reply{ethernet_repr{asked->sender_hardware, from},
                   arp_repr{arp_operation::reply, from, asked->target_protocol, asked->sender_hardware,
                            asked->sender_protocol}};
  std::vector<std::uint8_t> out(reply.buffer_len());
  out.resize(reply.emit(out));
  return out;
}

// And an echo reply, the request's identifier, sequence and payload carried back.
std::vector<std::uint8_t> echo_reply_to(const std::vector<std::uint8_t>& request) {
  auto eth = ethernet_frame::check(request);
  auto ipv4 = ipv4_packet::check(eth->payload());
  auto header = ipv4_repr::parse(*ipv4);
  icmpv4_echo_repr echo = *icmpv4_echo_repr::parse(*icmpv4_packet::check(ipv4->payload()));
  echo.is_request = false;
  frame_repr reply{ethernet_repr{eth->source(), eth->destination()},
                   ipv4_datagram_repr{answering(*header, header->destination), echo}};
  std::vector<std::uint8_t> out(reply.buffer_len());
  out.resize(reply.emit(out));
  return out;
}

TEST(host_probe, arps_from_the_hosts_own_mac_and_address_and_reports_the_answer) {
  host_probe probe({probe_kind::arp, ip("10.77.0.1"), 1}, source);
  auto request = probe.begin(asked_at);
  auto arp = arp_repr::parse(*arp_packet::check(ethernet_frame::check(request)->payload()));
  EXPECT_EQ(arp->operation, arp_operation::request);
  EXPECT_EQ(arp->sender_hardware, host_mac);
  EXPECT_EQ(arp->sender_protocol, ip("10.77.2.10"));
  EXPECT_EQ(arp->target_protocol, ip("10.77.0.1"));
  auto step = probe.on_frame(arp_reply_to(request, peer_mac), asked_at + std::chrono::microseconds(250));
  EXPECT_TRUE(step.answered);
  EXPECT_FALSE(step.send);
  EXPECT_TRUE(probe.done());
  EXPECT_EQ(probe.report(), "10.77.0.1 is at ce:89:d7:ed:bc:38 (ARP from 10.77.2.10 (02:5e:00:00:01:00): 0.250 ms)\n");
}

TEST(host_probe, tries_arp_three_times_a_second_apart_then_says_nobody_answered) {
  host_probe probe({probe_kind::ping, ip("10.77.0.9"), 3}, source);
  probe.begin(asked_at);
  EXPECT_EQ(probe.deadline(), asked_at + std::chrono::seconds(1));
  EXPECT_TRUE(probe.on_timeout(asked_at + std::chrono::seconds(1)).send);
  EXPECT_TRUE(probe.on_timeout(asked_at + std::chrono::seconds(2)).send);
  EXPECT_FALSE(probe.on_timeout(asked_at + std::chrono::seconds(3)).send);
  EXPECT_TRUE(probe.done());
  EXPECT_EQ(probe.report(), "ARP for 10.77.0.9 from 10.77.2.10 (02:5e:00:00:01:00): no answer to 3 requests\n");
}

TEST(host_probe, pings_one_echo_at_a_time_and_counts_a_lost_one) {
  host_probe probe({probe_kind::ping, ip("10.77.0.1"), 3}, source);
  auto request = probe.begin(asked_at);
  auto echo1 = probe.on_frame(arp_reply_to(request, peer_mac), asked_at + std::chrono::milliseconds(1)).send;
  ASSERT_TRUE(echo1);
  auto eth = ethernet_frame::check(*echo1);
  EXPECT_EQ(eth->destination(), peer_mac); // to the MAC ARP found
  auto ipv4 = ipv4_packet::check(eth->payload());
  EXPECT_EQ(ipv4->destination(), ip("10.77.0.1"));
  auto icmp = icmpv4_packet::check(ipv4->payload());
  EXPECT_EQ(icmp->type(), icmpv4_type::echo_request);
  EXPECT_TRUE(icmp->checksum_valid());
  EXPECT_EQ(icmp->echo_sequence(), 1);
  // Something else for the host is not an answer.
  EXPECT_FALSE(probe.on_frame(arp_reply_to(request, peer_mac), asked_at + std::chrono::milliseconds(2)).answered);
  auto echo2 = probe.on_frame(echo_reply_to(*echo1), asked_at + std::chrono::milliseconds(3)).send;
  ASSERT_TRUE(echo2);
  auto echo3 = probe.on_timeout(asked_at + std::chrono::milliseconds(1003)).send; // the second's reply never came
  ASSERT_TRUE(echo3);
  auto last = probe.on_frame(echo_reply_to(*echo3), asked_at + std::chrono::milliseconds(1007));
  EXPECT_TRUE(last.answered);
  EXPECT_FALSE(last.send);
  EXPECT_TRUE(probe.done());
  EXPECT_EQ(probe.report(),
            "10.77.0.1 is at ce:89:d7:ed:bc:38 (ARP from 10.77.2.10 (02:5e:00:00:01:00): 1.000 ms)\n"
            "ping 10.77.0.1 from 10.77.2.10 (02:5e:00:00:01:00): 3 sent, 2 received, "
            "rtt min/avg/max = 2.000/3.000/4.000 ms\n");
}

TEST(host_probe, takes_no_echo_reply_meant_for_another_identifier) {
  host_probe probe({probe_kind::ping, ip("10.77.0.1"), 1}, source);
  auto request = probe.begin(asked_at);
  auto echo = *probe.on_frame(arp_reply_to(request, peer_mac), asked_at).send;
  auto reply = echo_reply_to(echo);
  auto icmp_at = reply.size() - 8 - 56;
  reply[icmp_at + 4] ^= 0xff; // another ping's identifier (its checksum now wrong too)
  EXPECT_FALSE(probe.on_frame(reply, asked_at).answered);
  EXPECT_FALSE(probe.done());
}

} // namespace
