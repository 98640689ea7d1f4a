#include "apps/firewall/nat_rewrite.hpp"

#include <gtest/gtest.h>

#include "tests/unit/apps/firewall/lab_packets.hpp"

using namespace etherbeam::apps::firewall;
using namespace etherbeam::firewall_test;
using etherbeam::protocols::ipv4_address;

namespace {

std::vector<packet> every_kind() {
  auto out = lab_packets("lab_tcp_super_frames.pcap"); // TCP: SYN, data, FIN
  for (auto& p : lab_packets("lab_ping_arp_udp.pcap"))
    if ((etherbeam::protocols::read_be16(p, 6) & 0x3fff) == 0) out.push_back(p); // ICMP echo, UDP
  return out;
}

} // namespace

TEST(nat_rewrite, keeps_every_checksum_right_when_the_source_changes) {
  for (auto p : every_kind()) {
    auto before = facts_of(p);
    translate(p, packet_side::source, {ip("192.0.2.77"), 40001});
    EXPECT_TRUE(checksums_verify(p)) << before.flow.to_string();
    auto after = facts_of(p);
    EXPECT_EQ(after.flow.source, ip("192.0.2.77"));
    EXPECT_EQ(after.flow.destination, before.flow.destination);
    EXPECT_EQ(after.flow.source_port, 40001);
  }
}

TEST(nat_rewrite, keeps_every_checksum_right_when_the_destination_changes) {
  for (auto p : every_kind()) {
    auto before = facts_of(p);
    translate(p, packet_side::destination, {ip("10.1.0.5"), 80});
    EXPECT_TRUE(checksums_verify(p)) << before.flow.to_string();
    EXPECT_EQ(facts_of(p).flow.destination, ip("10.1.0.5"));
    EXPECT_EQ(facts_of(p).flow.destination_port, 80);
    EXPECT_EQ(facts_of(p).flow.source, before.flow.source);
  }
}

TEST(nat_rewrite, a_udp_datagram_without_checksum_stays_without) {
  auto packets = lab_packets("lab_ping_arp_udp.pcap");
  auto udp = std::find_if(packets.begin(), packets.end(), [](auto& p) { return p[9] == 17; });
  ASSERT_NE(udp, packets.end());
  auto p = *udp;
  p[20 + 6] = p[20 + 7] = 0;
  translate(p, packet_side::source, {ip("192.0.2.77"), 40001});
  EXPECT_EQ(etherbeam::protocols::read_be16(p, 26), 0);
}

TEST(nat_rewrite, an_error_about_a_masqueraded_packet_goes_back_to_the_inside_host) {
  // The lab's SYN as it left the NAT (source 192.0.2.77:40001), quoted by a port unreachable from its destination.
  auto syn = lab_packets("lab_tcp_super_frames.pcap")[0];
  translate(syn, packet_side::source, {ip("192.0.2.77"), 40001});
  auto error = port_unreachable(ip("10.77.0.3"), ip("192.0.2.77"), syn);
  translate_error(error, {ip("10.77.0.3"), ip("10.77.0.1"), {ip("10.77.0.1"), 36826}, {ip("10.77.0.3"), 5001}});
  EXPECT_TRUE(checksums_verify(error));
  auto facts = facts_of(error);
  EXPECT_EQ(facts.flow.destination, ip("10.77.0.1"));
  ASSERT_TRUE(facts.is_icmp_error);
  EXPECT_EQ(facts.quoted.source, ip("10.77.0.1"));
  EXPECT_EQ(facts.quoted.source_port, 36826);
  EXPECT_EQ(facts.quoted.destination, ip("10.77.0.3")) << "the rest of the quote as it was";
  EXPECT_EQ(facts.quoted.destination_port, 5001);
  EXPECT_EQ(etherbeam::protocols::checksum_of(std::span<const std::uint8_t>(error.data() + 28, 20)), 0)
    << "the quoted header's checksum";
}
