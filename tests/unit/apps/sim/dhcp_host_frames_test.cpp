// What a simulated DHCP client puts on the wire, read back by the parsers
// etherbeam's server uses; and what it reads from a server (a dnsmasq OFFER
// captured in the lab).
#include "apps/sim/dhcp_host_frames.hpp"

#include <gtest/gtest.h>

#include "protocols/arp.hpp"
#include "protocols/dhcp.hpp"
#include "protocols/ethernet.hpp"
#include "protocols/ipv4.hpp"
#include "protocols/udp.hpp"
#include "tests/unit/frame_bytes.hpp"
#include "tests/unit/test_values.hpp"

using namespace etherbeam;
using namespace etherbeam::apps::sim;
using protocols::dhcp_message_type;

namespace {

using etherbeam::testing::mac;
using etherbeam::testing::ip;

struct read_back {
  protocols::mac_address destination;
  protocols::ipv4_address ip_source, ip_destination;
  protocols::dhcp_repr dhcp;
};

read_back read(const std::vector<std::uint8_t>& frame) {
  auto eth = protocols::ethernet_frame::check(frame);
  EXPECT_TRUE(eth);
  auto ip_packet = protocols::ipv4_packet::check(eth->payload());
  auto udp = protocols::udp_packet::check(ip_packet->payload());
  EXPECT_EQ(udp->source_port(), 68);
  EXPECT_EQ(udp->destination_port(), 67);
  auto udp_checked = protocols::udp_repr::parse(*udp, ip_packet->source(), ip_packet->destination());
  EXPECT_TRUE(udp_checked); // the checksum is right
  auto dhcp = protocols::dhcp_repr::parse(*protocols::dhcp_packet::check(udp->payload()));
  return {eth->destination(), ip_packet->source(), ip_packet->destination(), *dhcp};
}

} // namespace

TEST(dhcp_host_frames, a_discover_is_broadcast_from_nowhere_and_asks_for_the_usual_options) {
  client_message m;
  m.type = dhcp_message_type::discover;
  m.transaction_id = 0x1234;
  auto r = read(client_frame(m, mac("02:5e:00:00:00:07"), std::nullopt));
  EXPECT_TRUE(r.destination.is_broadcast());
  EXPECT_TRUE(r.ip_source.is_unspecified());
  EXPECT_TRUE(r.ip_destination.is_limited_broadcast());
  EXPECT_EQ(r.dhcp.message_type, dhcp_message_type::discover);
  EXPECT_EQ(r.dhcp.transaction_id, 0x1234u);
  EXPECT_EQ(r.dhcp.client_hardware, mac("02:5e:00:00:00:07"));
  EXPECT_EQ(r.dhcp.parameter_request_list.size, 7u);
}

TEST(dhcp_host_frames, a_renewing_request_goes_to_its_server_from_its_address) {
  client_message m;
  m.type = dhcp_message_type::request;
  m.client_address = ip("10.77.0.100");
  m.unicast_to = ip("10.77.0.2");
  auto r = read(client_frame(m, mac("02:5e:00:00:00:07"), mac("ce:89:d7:ed:bc:38")));
  EXPECT_EQ(r.destination, mac("ce:89:d7:ed:bc:38"));
  EXPECT_EQ(r.ip_source, ip("10.77.0.100"));
  EXPECT_EQ(r.ip_destination, ip("10.77.0.2"));
  EXPECT_EQ(r.dhcp.client_address, ip("10.77.0.100"));
  EXPECT_FALSE(r.dhcp.requested_address);
}

TEST(dhcp_host_frames, reads_a_servers_offer_with_its_options_and_mac) {
  auto offer = test_frames::copy_of(test_frames::dnsmasq_offer_to_dhclient);
  auto client = protocols::mac_address::read(offer, 0);
  auto r = dhcp_answer_in(offer, client);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->answer.type, dhcp_message_type::offer);
  EXPECT_EQ(r->answer.your_address, ip("10.77.0.125"));
  EXPECT_EQ(r->answer.server_id, ip("10.77.0.3"));
  EXPECT_TRUE(r->answer.lease_time);
  EXPECT_EQ(r->server_mac, protocols::mac_address::read(offer, 6));
  EXPECT_FALSE(dhcp_answer_in(offer, mac("02:5e:00:00:00:07"))); // another client's
}

TEST(dhcp_host_frames, an_arp_probe_asks_from_nowhere_and_another_stations_answer_is_a_conflict) {
  auto me = mac("02:5e:00:00:00:07");
  auto probe = arp_probe(me, ip("10.77.0.100"));
  auto arp = protocols::arp_repr::parse(*protocols::arp_packet::check(
    protocols::byte_view(probe).subspan(14)));
  ASSERT_TRUE(arp);
  EXPECT_TRUE(arp->sender_protocol.is_unspecified());
  EXPECT_EQ(arp->target_protocol, ip("10.77.0.100"));
  EXPECT_FALSE(claims_address(probe, ip("10.77.0.100"), me)); // our own
  EXPECT_TRUE(claims_address(arp_probe(mac("02:5e:00:00:00:08"), ip("10.77.0.100")), ip("10.77.0.100"), me));
  // The lab's kernel answering for 10.77.0.3: a claim on that address, not on ours.
  auto reply = test_frames::copy_of(test_frames::kernel_arp_reply);
  EXPECT_TRUE(claims_address(reply, ip("10.77.0.3"), me));
  EXPECT_FALSE(claims_address(reply, ip("10.77.0.100"), me));
}

TEST(dhcp_host_frames, a_host_on_a_vlan_tags_what_it_sends) {
  client_message m;
  m.type = dhcp_message_type::discover;
  auto frame = client_frame(m, mac("02:5e:00:00:00:07"), std::nullopt, 42);
  auto eth = protocols::ethernet_frame::check(frame);
  ASSERT_TRUE(eth);
  auto repr = protocols::ethernet_repr::parse(*eth);
  ASSERT_EQ(repr.vlan_count, 1u);
  EXPECT_EQ(repr.vlans[0].vlan_id(), 42);
  EXPECT_EQ(repr.ethertype, protocols::ethertype::ipv4);
  auto probe = arp_probe(mac("02:5e:00:00:00:07"), ip("10.77.0.100"), 42);
  EXPECT_EQ(protocols::ethernet_repr::parse(*protocols::ethernet_frame::check(probe)).vlans[0].vlan_id(), 42);
}
