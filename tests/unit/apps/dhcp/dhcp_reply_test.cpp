#include "apps/dhcp/dhcp_reply.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "protocols/ipv4.hpp"
#include "protocols/udp.hpp"
#include "tests/unit/apps/dhcp/dhcp_options.hpp"
#include "tests/unit/apps/dhcp/lab_stack.hpp"
#include "tests/unit/frame_bytes.hpp"
#include "tests/unit/test_values.hpp"

using namespace etherbeam::apps::dhcp;
using namespace etherbeam::protocols;
using namespace etherbeam::test_frames;

namespace {

using etherbeam::testing::ip;
const mac_address server_mac{{0x02, 0xeb, 0, 0, 0, 3}};

// What the DHCP intake hands off for a captured client frame.
dhcp_inbound handed_off(byte_view frame) {
  etherbeam::testing::lab_stack stack;
  EXPECT_EQ(stack.decide(frame).outcome, etherbeam::actors::verdict::kind::handed_off);
  EXPECT_EQ(stack.handed.size(), 1u);
  return stack.handed.empty() ? dhcp_inbound{} : stack.handed.front();
}

struct sent_frame {
  ethernet_repr eth;
  ipv4_repr ip;
  std::uint16_t source_port = 0, destination_port = 0;
  dhcp_repr dhcp;
};

sent_frame parse_sent(const std::vector<std::uint8_t>& bytes) {
  auto eth_frame = ethernet_frame::check(bytes);
  EXPECT_TRUE(eth_frame);
  sent_frame s;
  s.eth = ethernet_repr::parse(*eth_frame);
  auto ip_packet = ipv4_packet::check(eth_frame->payload());
  auto ip_repr = ipv4_repr::parse(*ip_packet);
  EXPECT_TRUE(ip_repr) << "IP header checksum";
  s.ip = *ip_repr;
  auto udp = udp_repr::parse(*udp_packet::check(ip_packet->payload()), s.ip.source, s.ip.destination);
  EXPECT_TRUE(udp) << "UDP checksum";
  s.source_port = udp->source_port;
  s.destination_port = udp->destination_port;
  s.dhcp = *dhcp_repr::parse(*dhcp_packet::check(udp->payload));
  return s;
}

sent_frame emitted(const dhcp_inbound& in, dhcp_message_type type, ipv4_address yiaddr = ip("10.77.0.125")) {
  dhcp_repr reply;
  reply.op = bootp_op::reply;
  reply.message_type = type;
  reply.transaction_id = in.message.transaction_id;
  reply.your_address = yiaddr;
  reply.relay_address = in.message.relay_address;
  reply.client_hardware = in.message.client_hardware;
  reply.server_identifier = ip("10.77.0.3");
  std::vector<std::uint8_t> out(max_dhcp_reply_frame);
  auto n = emit_dhcp_reply(in, reply, ip("10.77.0.3"), server_mac, out);
  EXPECT_GT(n, 0u);
  out.resize(n);
  return parse_sent(out);
}

} // namespace

TEST(dhcp_reply, the_intake_hands_off_a_discover_from_0_0_0_0_to_broadcast) {
  auto in = handed_off(dhclient_discover);
  EXPECT_EQ(in.message.message_type, dhcp_message_type::discover);
  EXPECT_TRUE(in.ip_source.is_unspecified());
  EXPECT_EQ(in.ethernet.source.to_string(), "ee:08:ef:89:57:0c");
  EXPECT_EQ(in.server_mac, server_mac);
}

TEST(dhcp_reply, without_a_dhcp_server_dhcp_is_a_port_nobody_listens_on) {
  etherbeam::actors::counter_registry counters;
  etherbeam::actors::dispatcher host_only{etherbeam::apps::host::host_registrations(counters), counters};
  etherbeam::testing::lab_stack stack;
  std::vector<std::uint8_t> reply(sizeof dhclient_request);
  auto v = host_only.decide(dhclient_request, stack.me, reply);
  EXPECT_EQ(v.name(), "ignored.bad_source_address") << "from 0.0.0.0, and nothing takes such hosts on port 67";
}

TEST(dhcp_reply, an_offer_goes_unicast_to_yiaddr_and_chaddr_like_dnsmasqs) {
  auto s = emitted(handed_off(dhclient_discover), dhcp_message_type::offer);
  // dnsmasq's captured offer went the same way: 10.77.0.3:67 -> 10.77.0.125:68, to chaddr.
  auto dnsmasq = parse_sent(copy_of(dnsmasq_offer_to_dhclient));
  EXPECT_EQ(s.eth.destination, dnsmasq.eth.destination);
  EXPECT_EQ(s.ip.destination, dnsmasq.ip.destination);
  EXPECT_EQ(s.ip.source, dnsmasq.ip.source);
  EXPECT_EQ(s.source_port, 67);
  EXPECT_EQ(s.destination_port, 68);
  EXPECT_EQ(s.eth.source, server_mac);
  EXPECT_EQ(s.dhcp.transaction_id, 0xa313ba5bu);
}

TEST(dhcp_reply, a_nak_and_a_broadcast_flag_go_to_everyone) {
  auto in = handed_off(dhclient_request);
  auto nak = emitted(in, dhcp_message_type::nak, {});
  EXPECT_TRUE(nak.eth.destination.is_broadcast());
  EXPECT_TRUE(nak.ip.destination.is_limited_broadcast());
  in.message.broadcast_flag = true;
  auto offer = emitted(in, dhcp_message_type::offer);
  EXPECT_TRUE(offer.ip.destination.is_limited_broadcast());
}

TEST(dhcp_reply, a_client_with_an_address_is_answered_at_that_address) {
  auto s = emitted(handed_off(dhcpcd_inform), dhcp_message_type::ack, {});
  EXPECT_EQ(s.ip.destination, ip("10.77.0.142"));
  EXPECT_EQ(s.eth.destination.to_string(), "32:8b:3b:d2:a6:58");
  EXPECT_EQ(s.destination_port, 68);
}

TEST(dhcp_reply, a_relayed_request_is_answered_to_the_relay_on_the_server_port) {
  auto in = handed_off(perfdhcp_discover);
  auto s = emitted(in, dhcp_message_type::offer);
  EXPECT_EQ(s.ip.destination, ip("10.77.0.1"));
  EXPECT_EQ(s.destination_port, 67);
  EXPECT_EQ(s.eth.destination, in.ethernet.source);
  EXPECT_EQ(s.dhcp.relay_address, ip("10.77.0.1"));
}

TEST(dhcp_reply, a_reply_beyond_the_clients_maximum_size_is_not_sent) {
  auto in = handed_off(udhcpc_discover); // option 57: 576
  std::vector<std::uint8_t> big(400, 'x');
  dhcp_option extra[] = {{200, big}};
  dhcp_repr reply;
  reply.op = bootp_op::reply;
  reply.message_type = dhcp_message_type::offer;
  reply.extra_options = extra;
  std::vector<std::uint8_t> out(max_dhcp_reply_frame);
  EXPECT_EQ(emit_dhcp_reply(in, reply, ip("10.77.0.3"), server_mac, out), 0u);
}

// RFC 1122 §3.2.1.3: 0.0.0.0 is never a destination. An INFORM from a client
// that left ciaddr empty is answered by broadcast.
TEST(dhcp_reply, an_inform_from_ciaddr_0_is_broadcast_not_sent_to_0_0_0_0) {
  auto in = handed_off(dhcpcd_inform);
  in.message.client_address = ipv4_address{};
  in.message.broadcast_flag = false;
  auto s = emitted(in, dhcp_message_type::ack, ipv4_address{});
  EXPECT_TRUE(s.eth.destination.is_broadcast());
  EXPECT_TRUE(s.ip.destination.is_limited_broadcast());
}

// RFC 2131 §4.3.1: what does not fit the client's maximum message size is left
// out, never the reply: raw options from the last, then the lower ones.
TEST(dhcp_reply, a_reply_too_large_for_the_client_leaves_options_out_not_the_reply) {
  auto in = handed_off(dhclient_discover);
  in.message.max_message_size = 576;
  std::vector<std::uint8_t> big(200, 'x');
  auto router = test_options::named("routers", {"10.77.0.1"});
  std::vector<dhcp_option> extra{{3, router.value}, {224, big}, {225, big}, {226, big}};
  dhcp_repr reply;
  reply.op = bootp_op::reply;
  reply.message_type = dhcp_message_type::offer;
  reply.transaction_id = in.message.transaction_id;
  reply.your_address = ip("10.77.0.125");
  reply.client_hardware = in.message.client_hardware;
  reply.server_identifier = ip("10.77.0.3");
  reply.lease_time = 600;
  std::vector<std::uint8_t> out(max_dhcp_reply_frame), left_out;
  auto n = emit_fitting_dhcp_reply(in, reply, extra, ip("10.77.0.3"), server_mac, out, left_out);
  ASSERT_GT(n, 0u) << "the reply is sent";
  EXPECT_EQ(left_out, (std::vector<std::uint8_t>{226, 225})) << "the last raw options first, only as many as needed";
  out.resize(n);
  auto s = parse_sent(out);
  EXPECT_EQ(s.dhcp.message_type, dhcp_message_type::offer);
  EXPECT_EQ(s.dhcp.lease_time, 600u);
  EXPECT_EQ(test_options::sent(byte_view(out).subspan(42), "routers"), "10.77.0.1") << "the first option stays";
  EXPECT_LE(n - 14, 576u) << "the IP datagram fits the client's 576 bytes";
  // What fits is sent whole, with nothing left out.
  std::vector<std::uint8_t> none;
  EXPECT_GT(emit_fitting_dhcp_reply(in, reply, std::span(extra).first(2), ip("10.77.0.3"), server_mac, out, none), 0u);
  EXPECT_TRUE(none.empty());
}

// RFC 2132 §9.10: a client's larger maximum is used, not a fixed 576; the
// link's MTU still bounds it. Within 576, the options overflow into 'file'.
TEST(dhcp_reply, honours_the_clients_maximum_message_size_and_the_link_mtu) {
  auto in = handed_off(dhclient_discover);
  std::vector<std::uint8_t> big(200, 'x'), small(100, 'y');
  std::vector<dhcp_option> extra{{224, big}, {225, small}, {226, big}};
  dhcp_repr reply;
  reply.op = bootp_op::reply;
  reply.message_type = dhcp_message_type::offer;
  reply.your_address = ip("10.77.0.125");
  reply.server_identifier = ip("10.77.0.3");
  std::vector<std::uint8_t> out(max_dhcp_reply_frame), left_out;
  in.message.max_message_size = 1400;
  auto n = emit_fitting_dhcp_reply(in, reply, extra, ip("10.77.0.3"), server_mac, out, left_out);
  EXPECT_TRUE(left_out.empty()) << "all 500 bytes of options fit 1400";
  EXPECT_LE(n - 14, 1400u);
  in.link_mtu = 576;
  left_out.clear();
  EXPECT_GT(emit_fitting_dhcp_reply(in, reply, extra, ip("10.77.0.3"), server_mac, out, left_out), 0u);
  EXPECT_EQ(left_out, (std::vector<std::uint8_t>{226})) << "the link's MTU bounds the client's wish";
  out.resize(14 + 576);
  EXPECT_EQ(test_options::sent(byte_view(out).subspan(42), "dhcp_option_overload"), "1") << "'file' carries 225";
}
