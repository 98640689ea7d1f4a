#include "apps/firewall/packet_filter.hpp"

#include <gtest/gtest.h>

#include "apps/firewall/rules_file.hpp"
#include "tests/unit/apps/firewall/lab_packets.hpp"

using namespace etherbeam::apps::firewall;
using namespace etherbeam::firewall_test;
using etherbeam::protocols::ipv4_address;
using namespace std::chrono_literals;

namespace {

// The lab's TCP client 10.77.0.1 is on `lan` (link 0); its server 10.77.0.3
// is taken to be out `wan` (link 1), where etherbeam is 192.0.2.1.
struct router_lab {
  std::shared_ptr<rules_in_force> rules;
  packet_filter filter;
  clock::time_point now = clock::time_point{} + 1h;
  explicit router_lab(const std::string& text, flow_table::settings table = {})
      : rules(std::make_shared<rules_in_force>(parse_rules(text, {"lan", "wan"}))), filter(rules, table) {}

  packet_path route(ipv4_address a) const { return lab_route(a); }
  filter_decision see(const packet& p, etherbeam::actors::link_index in) {
    auto facts = facts_of(p);
    std::function<packet_path(ipv4_address)> routing = [this](ipv4_address a) { return route(a); };
    return filter.decide({facts, in, p.size(), routing, now});
  }
};

const char* outbound_only = R"(chain forward policy drop {
  ct state established,related accept
  iif lan oif wan accept
}
)";

} // namespace

TEST(packet_filter, lets_answers_to_an_outbound_flow_in_and_nothing_new) {
  auto packets = lab_packets("lab_tcp_super_frames.pcap");
  // Taken the other way round: the lab's server (10.77.0.3) stands outside.
  router_lab lab(outbound_only);
  auto syn = packets[0];
  translate(syn, packet_side::destination, {ip("198.51.100.3"), 5001});
  EXPECT_EQ(lab.see(syn, 0).what, filter_decision::kind::accept);
  auto syn_ack = packets[1];
  translate(syn_ack, packet_side::source, {ip("198.51.100.3"), 5001});
  auto answer = lab.see(syn_ack, 1);
  EXPECT_EQ(answer.what, filter_decision::kind::accept);
  EXPECT_TRUE(answer.skipped_rules);
  // A new connection from outside: the forward policy drops it.
  auto inbound = packets[0];
  translate(inbound, packet_side::source, {ip("198.51.100.9"), 40000});
  EXPECT_EQ(lab.see(inbound, 1).what, filter_decision::kind::drop);
  // A bare ACK from outside that belongs to no flow: invalid, and the policy drops it too.
  auto stray = packets[4];
  translate(stray, packet_side::source, {ip("198.51.100.9"), 40000});
  auto d = lab.see(stray, 1);
  EXPECT_EQ(d.state, connection_state::invalid);
  EXPECT_EQ(d.what, filter_decision::kind::drop);
  EXPECT_EQ(lab.filter.flows(), 1u);
}

TEST(packet_filter, flag_combinations_tcp_never_sends_are_invalid_in_any_flow) {
  auto packets = lab_packets("lab_tcp_super_frames.pcap");
  router_lab lab(R"(chain forward policy drop {
  ct state invalid drop
  ct state established,related accept
  iif lan oif wan accept
}
)");
  auto outside = [&](std::size_t i, packet_side side, std::optional<std::uint8_t> flags = {}) {
    auto p = packets[i]; // the lab's server 10.77.0.3 taken to stand outside, as 198.51.100.3
    translate(p, side, {ip("198.51.100.3"), 5001});
    if (flags) {
      p[20 + 13] = *flags; // the lab's packets have 20-byte IPv4 headers
      make_whole(p);
    }
    return p;
  };
  auto to_server = packet_side::destination, from_server = packet_side::source;
  // nmap -sF, -sX, -sN and a SYN+FIN from inside: none opens a flow; `ct state invalid` drops them.
  for (std::uint8_t flags : {0x01, 0x29, 0x00, 0x03}) {
    auto d = lab.see(outside(0, to_server, flags), 0);
    EXPECT_EQ(d.state, connection_state::invalid) << int(flags);
    EXPECT_EQ(d.what, filter_decision::kind::drop) << int(flags);
  }
  EXPECT_EQ(lab.filter.flows(), 0u);
  EXPECT_EQ(lab.see(outside(0, to_server), 0).state, connection_state::new_flow);
  EXPECT_EQ(lab.see(outside(1, from_server), 1).state, connection_state::established);
  // Inside the established flow too: a Xmas packet is invalid, a FIN+ACK is not.
  auto xmas = lab.see(outside(2, to_server, 0x29), 0);
  EXPECT_EQ(xmas.state, connection_state::invalid);
  EXPECT_EQ(xmas.what, filter_decision::kind::drop);
  EXPECT_EQ(lab.see(outside(2, to_server, 0x11), 0).state, connection_state::established);
  for (std::uint8_t flags : {0x02, 0x22, 0x12, 0x04, 0x14, 0x11, 0x31, 0x10, 0x30, 0x18, 0xd2})
    EXPECT_TRUE(valid_tcp_flags(flags)) << int(flags);
  for (std::uint8_t flags : {0x00, 0x01, 0x03, 0x06, 0x29, 0x3f, 0x05, 0x20})
    EXPECT_FALSE(valid_tcp_flags(flags)) << int(flags);
}

TEST(packet_filter, masquerades_a_flow_and_translates_its_answers_back) {
  auto packets = lab_packets("lab_ping_arp_udp.pcap");
  router_lab lab(std::string(outbound_only) + "nat {\n  oif wan masquerade\n}\n");
  auto request = packets[0]; // 10.77.0.1 > 10.77.0.2: sent out to the internet instead
  translate(request, packet_side::destination, {ip("198.51.100.3"), facts_of(request).flow.destination_port});
  auto out = lab.see(request, 0);
  ASSERT_EQ(out.what, filter_decision::kind::accept);
  ASSERT_TRUE(out.new_source);
  EXPECT_EQ(out.new_source->address, ip("192.0.2.1"));
  translate(request, packet_side::source, *out.new_source);
  // The reply comes back to the router's address.
  auto reply = packets[1];
  translate(reply, packet_side::source, {ip("198.51.100.3"), out.new_source->port});
  translate(reply, packet_side::destination, {ip("192.0.2.1"), out.new_source->port});
  auto back = lab.see(reply, 1);
  EXPECT_EQ(back.what, filter_decision::kind::accept);
  ASSERT_TRUE(back.new_destination);
  EXPECT_EQ(back.new_destination->address, ip("10.77.0.1"));
  EXPECT_EQ(back.new_destination->port, facts_of(packets[0]).flow.source_port);
  EXPECT_FALSE(back.path.to_us); // routed on to the inside host, not taken for etherbeam
  EXPECT_EQ(back.path.out_link, 0u);
}

namespace {

// 192.0.2.1:8080 forwarded to the inside host 10.77.0.3:5001.
const char* port_forward = "chain forward policy drop {\n  ct state established,related accept\n  iif wan ip daddr "
                           "10.77.0.3 tcp dport 5001 accept\n}\nnat {\n  iif wan tcp dport 8080 dnat to "
                           "10.77.0.3:5001\n}\n";

// The lab's SYN as an outside host, 198.51.100.9:40000, sends it to the port forward.
packet outside_syn(const std::vector<packet>& tcp_packets) {
  auto syn = tcp_packets[0];
  translate(syn, packet_side::source, {ip("198.51.100.9"), 40000});
  translate(syn, packet_side::destination, {ip("192.0.2.1"), 8080});
  return syn;
}

} // namespace

TEST(packet_filter, a_port_forward_sends_a_new_flow_to_the_inside_host) {
  auto packets = lab_packets("lab_tcp_super_frames.pcap");
  router_lab lab(port_forward);
  auto d = lab.see(outside_syn(packets), 1);
  ASSERT_EQ(d.what, filter_decision::kind::accept);
  ASSERT_TRUE(d.new_destination);
  EXPECT_EQ(d.new_destination->address, ip("10.77.0.3"));
  EXPECT_EQ(d.new_destination->port, 5001);
  EXPECT_EQ(d.path.out_link, 0u);
  // The inside host's SYN-ACK leaves with the router's address and port as its source.
  auto syn_ack = packets[1];
  translate(syn_ack, packet_side::destination, {ip("198.51.100.9"), 40000});
  auto back = lab.see(syn_ack, 0);
  ASSERT_TRUE(back.new_source);
  EXPECT_EQ(back.new_source->address, ip("192.0.2.1"));
  EXPECT_EQ(back.new_source->port, 8080);
}

TEST(packet_filter, an_icmp_error_about_a_flow_is_related) {
  auto packets = lab_packets("lab_tcp_super_frames.pcap");
  router_lab lab("chain forward policy drop {\n  ct state related accept\n  iif lan accept\n}\n");
  auto syn = packets[0];
  translate(syn, packet_side::destination, {ip("198.51.100.3"), 5001});
  ASSERT_EQ(lab.see(syn, 0).what, filter_decision::kind::accept);
  auto error = port_unreachable(ip("198.51.100.3"), ip("10.77.0.1"), syn);
  auto d = lab.see(error, 1);
  EXPECT_EQ(d.state, connection_state::related);
  EXPECT_EQ(d.what, filter_decision::kind::accept);
}

// Errors about a translated flow's packets reach the host that sent the
// packet, quoting it as that host sent it, from the address it knows.
TEST(packet_filter, an_icmp_error_about_a_port_forwarded_packet_is_translated_both_ways) {
  auto packets = lab_packets("lab_tcp_super_frames.pcap");
  router_lab lab(port_forward);
  auto syn = outside_syn(packets);
  ASSERT_EQ(lab.see(syn, 1).what, filter_decision::kind::accept);
  // The inside host refuses what it was sent (198.51.100.9:40000 > 10.77.0.3:5001).
  auto forwarded = syn;
  translate(forwarded, packet_side::destination, {ip("10.77.0.3"), 5001});
  auto inside = lab.see(port_unreachable(ip("10.77.0.3"), ip("198.51.100.9"), forwarded), 0);
  EXPECT_EQ(inside.state, connection_state::related);
  ASSERT_EQ(inside.what, filter_decision::kind::accept);
  ASSERT_TRUE(inside.error);
  EXPECT_EQ(inside.error->source, ip("192.0.2.1")) << "from the address the outside host connected to";
  EXPECT_EQ(inside.error->destination, ip("198.51.100.9"));
  EXPECT_EQ(inside.error->quoted_destination.address, ip("192.0.2.1"));
  EXPECT_EQ(inside.error->quoted_destination.port, 8080);
  EXPECT_EQ(inside.error->quoted_source.port, 40000);
  EXPECT_EQ(inside.path.out_link, 1u);
  // The outside host refuses the inside host's answer, which left as 192.0.2.1:8080 > 198.51.100.9:40000.
  auto answer = packets[1];
  translate(answer, packet_side::source, {ip("192.0.2.1"), 8080});
  translate(answer, packet_side::destination, {ip("198.51.100.9"), 40000});
  auto outside = lab.see(port_unreachable(ip("198.51.100.9"), ip("192.0.2.1"), answer), 1);
  ASSERT_TRUE(outside.error);
  EXPECT_EQ(outside.error->destination, ip("10.77.0.3")) << "to the inside host, not taken for etherbeam";
  EXPECT_EQ(outside.error->source, ip("198.51.100.9"));
  EXPECT_EQ(outside.error->quoted_source.address, ip("10.77.0.3"));
  EXPECT_EQ(outside.error->quoted_source.port, 5001);
  EXPECT_FALSE(outside.path.to_us);
  EXPECT_EQ(outside.path.out_link, 0u);
  // Rewritten so, the error quotes the inside host's own packet, checksums whole.
  auto error = port_unreachable(ip("198.51.100.9"), ip("192.0.2.1"), answer);
  translate_error(error, *outside.error);
  EXPECT_TRUE(checksums_verify(error));
  auto facts = facts_of(error);
  EXPECT_EQ(facts.flow.destination, ip("10.77.0.3"));
  EXPECT_EQ(facts.quoted.source, ip("10.77.0.3"));
  EXPECT_EQ(facts.quoted.source_port, 5001);
  EXPECT_EQ(facts.quoted.destination, ip("198.51.100.9"));
}

TEST(packet_filter, a_table_full_of_connections_refuses_new_flows_while_known_ones_pass) {
  auto packets = lab_packets("lab_tcp_super_frames.pcap");
  router_lab lab(outbound_only, {.max_flows = 1, .timeouts = {}});
  for (std::size_t i = 0; i < 3; ++i) { // the handshake: an established connection
    translate(packets[i], i == 1 ? packet_side::source : packet_side::destination, {ip("198.51.100.3"), 5001});
    ASSERT_EQ(lab.see(packets[i], i == 1 ? 1 : 0).what, filter_decision::kind::accept);
  }
  auto other = packets[0];
  translate(other, packet_side::source, {ip("10.77.0.1"), 1234});
  EXPECT_EQ(lab.see(other, 0).what, filter_decision::kind::table_full);
  translate(packets[3], packet_side::destination, {ip("198.51.100.3"), 5001});
  EXPECT_EQ(lab.see(packets[3], 0).what, filter_decision::kind::accept);
}

TEST(packet_filter, a_full_tables_half_open_connection_gives_its_place_to_a_new_one) {
  auto packets = lab_packets("lab_tcp_super_frames.pcap");
  router_lab lab(outbound_only, {.max_flows = 1, .timeouts = {}});
  auto syn = packets[0];
  translate(syn, packet_side::destination, {ip("198.51.100.3"), 5001});
  auto first = lab.see(syn, 0);
  ASSERT_EQ(first.what, filter_decision::kind::accept);
  EXPECT_FALSE(first.made_room);
  auto other = syn;
  translate(other, packet_side::source, {ip("10.77.0.1"), 1234});
  auto second = lab.see(other, 0);
  EXPECT_EQ(second.what, filter_decision::kind::accept);
  EXPECT_TRUE(second.made_room);
  // The first connection's flow is gone: its SYN-ACK opens nothing.
  auto syn_ack = packets[1];
  translate(syn_ack, packet_side::source, {ip("198.51.100.3"), 5001});
  EXPECT_EQ(lab.see(syn_ack, 1).state, connection_state::invalid);
}

TEST(packet_filter, reloaded_rules_keep_established_flows_and_judge_new_ones) {
  auto packets = lab_packets("lab_tcp_super_frames.pcap");
  router_lab lab(outbound_only);
  auto syn = packets[0];
  translate(syn, packet_side::destination, {ip("198.51.100.3"), 5001});
  lab.see(syn, 0);
  auto syn_ack = packets[1];
  translate(syn_ack, packet_side::source, {ip("198.51.100.3"), 5001});
  lab.see(syn_ack, 1);
  lab.rules->replace(parse_rules("chain forward policy drop {\n}\n", {"lan", "wan"}));
  auto ack = packets[2];
  translate(ack, packet_side::destination, {ip("198.51.100.3"), 5001});
  EXPECT_EQ(lab.see(ack, 0).what, filter_decision::kind::accept);
  auto other = packets[0];
  translate(other, packet_side::source, {ip("10.77.0.1"), 1234});
  translate(other, packet_side::destination, {ip("198.51.100.3"), 5001});
  EXPECT_EQ(lab.see(other, 0).what, filter_decision::kind::drop);
}

TEST(packet_filter, counts_each_rule_and_the_policy) {
  auto packets = lab_packets("lab_tcp_super_frames.pcap");
  router_lab lab("chain forward policy drop {\n  iif lan counter out accept\n}\n");
  auto syn = packets[0];
  translate(syn, packet_side::destination, {ip("198.51.100.3"), 5001});
  lab.see(syn, 0);
  auto inbound = packets[0];
  translate(inbound, packet_side::source, {ip("198.51.100.9"), 40000});
  lab.see(inbound, 1);
  std::map<std::string, std::uint64_t> packets_by;
  lab.rules->get()->for_each_counter([&](const std::string& n, std::uint64_t p, std::uint64_t) { packets_by[n] = p; });
  EXPECT_EQ(packets_by["out"], 1u);
  EXPECT_EQ(packets_by["forward.policy"], 1u);
}
