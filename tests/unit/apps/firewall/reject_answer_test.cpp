// What a reject rule answers, on the lab's captured TCP connection and UDP datagram.
#include "apps/firewall/reject_answer.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "tests/unit/apps/firewall/lab_packets.hpp"

using namespace etherbeam::apps::firewall;
using namespace etherbeam::protocols;
using etherbeam::firewall_test::lab_packets;
using etherbeam::testing::ip;

namespace {

const ethernet_repr from_client{*mac_address::from_string("02:00:00:00:00:0c"),
                                *mac_address::from_string("02:00:00:00:00:0a"), {}, 0, ethertype::ipv4};
const mac_address answering_mac = *mac_address::from_string("02:00:00:00:00:0c");

std::vector<std::uint8_t> answer_to(const std::vector<std::uint8_t>& p, const ethernet_repr& eth = from_client) {
  std::vector<std::uint8_t> reply(256);
  auto packet = ipv4_packet::check(std::span<const std::uint8_t>(p));
  reply.resize(emit_reject(eth, *packet, answering_mac, ip("192.0.2.1"), reply));
  return reply;
}

} // namespace

TEST(reject_answer, a_syn_gets_a_reset_from_the_address_it_was_for) {
  auto syn = lab_packets("lab_tcp_super_frames.pcap")[0]; // 10.77.0.1:36826 → 10.77.0.3:5001
  auto reply = answer_to(syn);
  ASSERT_EQ(reply.size(), 14u + 20 + 20);
  EXPECT_EQ(mac_address::read(reply, 0), *mac_address::from_string("02:00:00:00:00:0a"));
  EXPECT_EQ(mac_address::read(reply, 6), answering_mac);
  auto packet = ipv4_packet::check(std::span<const std::uint8_t>(reply).subspan(14));
  ASSERT_TRUE(packet && packet->checksum_valid());
  EXPECT_EQ(packet->source(), ip("10.77.0.3"));
  EXPECT_EQ(packet->destination(), ip("10.77.0.1"));
  EXPECT_EQ(packet->payload()[13] & 0x14, 0x14) << "RST+ACK";
}

TEST(reject_answer, a_datagram_gets_a_port_unreachable_and_a_reset_or_broadcast_gets_nothing) {
  auto packets = lab_packets("lab_ping_arp_udp.pcap");
  auto udp = std::find_if(packets.begin(), packets.end(), [](auto& p) { return p[9] == ip_protocol::udp; });
  ASSERT_NE(udp, packets.end());
  auto reply = answer_to(*udp);
  auto packet = ipv4_packet::check(std::span<const std::uint8_t>(reply).subspan(14));
  ASSERT_TRUE(packet);
  EXPECT_EQ(packet->source(), ip("192.0.2.1"));
  EXPECT_EQ(packet->payload()[0], 3); // destination unreachable
  EXPECT_EQ(packet->payload()[1], 3); // port
  auto rst = lab_packets("lab_tcp_super_frames.pcap")[0];
  rst[20 + 13] = 0x04;
  EXPECT_TRUE(answer_to(rst).empty());
  auto broadcast = from_client;
  broadcast.destination = mac_address::broadcast();
  EXPECT_TRUE(answer_to(*udp, broadcast).empty());
}
