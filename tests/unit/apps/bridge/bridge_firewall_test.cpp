// The bridge's firewall on the lab's TCP connection (10.77.0.1:36826 → 10.77.0.3:5001,
// tests/data/lab_tcp_super_frames.pcap) between a host behind link a and one behind link c.
#include "apps/bridge/bridge_firewall.hpp"

#include <gtest/gtest.h>

#include "actors/dispatcher.hpp"
#include "apps/bridge/bridge_stage.hpp"
#include "apps/firewall/rules_file.hpp"
#include "protocols/tcp.hpp"
#include "tests/unit/apps/firewall/lab_packets.hpp"
#include "tests/unit/frame_bytes.hpp"
#include "tests/unit/pcap_frames.hpp"

using namespace etherbeam::actors;
using namespace etherbeam::apps::bridge;
using namespace etherbeam::protocols;
using etherbeam::firewall_test::lab_packets;
namespace fw = etherbeam::apps::firewall;

namespace {

using frame = std::vector<std::uint8_t>;
const char* const host_a = "02:00:00:00:00:0a"; // 10.77.0.1, behind link a
const char* const host_c = "02:00:00:00:00:0c"; // 10.77.0.3, behind link c

stack_identity guarded_identity(link_index l) {
  stack_identity me;
  if (l == 0) me.addresses.push_back(*ipv4_interface::from_string("10.77.0.2/24"));
  me.mac = mac_address::from_string(l == 0 ? "ce:89:d7:ed:bc:38" : l == 1 ? "02:00:00:00:0b:02" : "02:00:00:00:0c:02");
  return me;
}

struct guarded_bridge {
  explicit guarded_bridge(const char* rules)
      : in_force(std::make_shared<fw::rules_in_force>(fw::parse_rules(rules, {"a", "b", "c"}))),
        guard(std::make_shared<bridge_firewall>(counters, in_force, fw::flow_table::settings{},
                                                std::vector<std::string>{"a", "b", "c"})) {}

  counter_registry counters;
  std::shared_ptr<fw::rules_in_force> in_force;
  std::shared_ptr<bridge_firewall> guard;
  std::vector<std::pair<link_index, frame>> sent;
  std::shared_ptr<bridge_stage> stage = std::make_shared<bridge_stage>(
    counters, std::vector<link_index>{0, 1, 2}, mac_table::settings{},
    [this](link_index l, byte_view bytes, caf::execution_unit*) { sent.emplace_back(l, frame(bytes.begin(), bytes.end())); },
    guard);
  dispatcher dispatch{{{"bridge", frame_match::every(), stage}}, counters};
  frame reply;

  verdict decide(const frame& f, link_index link) {
    reply.assign(std::max(f.size(), min_reply_room), 0);
    auto v = dispatch.decide(f, guarded_identity(link), reply, nullptr, link);
    v.record(); // as the frame actor does
    reply.resize(v.outcome == verdict::kind::reply ? v.reply_len : 0);
    return v;
  }
  // Where `f`, from `link`, went: the links it left by.
  std::vector<link_index> crossing(const frame& f, link_index link) {
    sent.clear();
    decide(f, link);
    std::vector<link_index> out;
    for (auto& [l, bytes] : sent) out.push_back(l);
    return out;
  }
};

frame framed(const std::vector<std::uint8_t>& packet, const char* from, const char* to) {
  frame f(14);
  auto d = *mac_address::from_string(to), s = *mac_address::from_string(from);
  std::copy(d.octets.begin(), d.octets.end(), f.begin());
  std::copy(s.octets.begin(), s.octets.end(), f.begin() + 6);
  f[12] = 0x08;
  f.insert(f.end(), packet.begin(), packet.end());
  return f;
}

const char* const a_to_c_only = R"(chain forward policy drop {
  ct state established,related accept
  iif a oif c accept
}
)";

} // namespace

TEST(bridge_firewall, a_connection_from_a_to_c_crosses_and_is_answered_and_nothing_new_comes_back) {
  guarded_bridge b(a_to_c_only);
  auto packets = lab_packets("lab_tcp_super_frames.pcap");
  // C's MAC is not learned yet: the SYN is flooded, and the forward chain lets it out by link c only.
  EXPECT_EQ(b.crossing(framed(packets[0], host_a, host_c), 0), std::vector<link_index>{2});
  EXPECT_EQ(b.crossing(framed(packets[1], host_c, host_a), 2), std::vector<link_index>{0}); // the SYN-ACK
  EXPECT_EQ(b.crossing(framed(packets[2], host_a, host_c), 0), std::vector<link_index>{2});
  EXPECT_EQ(b.counters.value("firewall.established_fast_path"), 2u);
  EXPECT_EQ(b.guard->flows(), 1u);
  EXPECT_NE(b.guard->list_flows().find("ESTABLISHED"), std::string::npos) << b.guard->list_flows();
  // C opening a connection to A: the policy drops it.
  auto inbound = packets[0];
  fw::translate(inbound, fw::packet_side::source, {etherbeam::testing::ip("10.77.0.3"), 40000});
  fw::translate(inbound, fw::packet_side::destination, {etherbeam::testing::ip("10.77.0.1"), 22});
  etherbeam::firewall_test::make_whole(inbound);
  auto v = b.decide(framed(inbound, host_c, host_a), 2);
  EXPECT_EQ(v.outcome, verdict::kind::ignored);
  EXPECT_EQ(v.tally->name, "firewall.dropped");
}

TEST(bridge_firewall, a_reject_answers_from_the_host_the_packet_was_for) {
  guarded_bridge b("chain forward policy accept {\n  tcp dport 5001 reject\n}\n");
  auto packets = lab_packets("lab_tcp_super_frames.pcap");
  b.crossing(framed(packets[1], host_c, host_a), 2); // C's MAC learned behind link c
  auto syn = framed(packets[0], host_a, host_c);
  auto v = b.decide(syn, 0);
  ASSERT_EQ(v.outcome, verdict::kind::reply);
  EXPECT_EQ(v.tally->name, "reply.firewall_reject");
  EXPECT_TRUE(b.sent.empty() || b.sent.back().first != 2);
  auto eth = ethernet_frame::check(byte_view(b.reply));
  ASSERT_TRUE(eth);
  EXPECT_EQ(eth->source(), *mac_address::from_string(host_c));
  EXPECT_EQ(eth->destination(), *mac_address::from_string(host_a));
  auto ip = ipv4_packet::check(eth->payload());
  ASSERT_TRUE(ip && ip->checksum_valid());
  EXPECT_EQ(ip->source(), etherbeam::testing::ip("10.77.0.3"));
  EXPECT_EQ(ip->destination(), etherbeam::testing::ip("10.77.0.1"));
  auto tcp = ip->payload();
  EXPECT_EQ(tcp[tcp_field::flags] & (tcp_field::rst | tcp_field::ack), tcp_field::rst | tcp_field::ack);
  EXPECT_EQ(read_be32(tcp, 8), 534999474u + 1) << "acknowledges the SYN";
}

TEST(bridge_firewall, the_input_chain_guards_etherbeam_itself_and_arp_still_crosses) {
  guarded_bridge b("chain input policy drop {\n  icmp type echo-request drop\n}\n");
  auto v = b.decide(etherbeam::test_frames::copy_of(etherbeam::test_frames::echo_request), 0); // to 10.77.0.2
  EXPECT_EQ(v.outcome, verdict::kind::ignored);
  EXPECT_EQ(v.tally->name, "firewall.dropped");
  // ARP is not IPv4: bridged and heard as ever.
  EXPECT_EQ(b.crossing(etherbeam::test_frames::copy_of(etherbeam::test_frames::arp_request), 0),
            (std::vector<link_index>{1, 2}));
}

TEST(bridge_firewall, a_broadcast_leaves_by_each_link_the_forward_chain_lets_it) {
  guarded_bridge b("chain forward policy drop {\n  oif b accept\n}\n");
  auto packets = lab_packets("lab_ping_arp_udp.pcap");
  ASSERT_FALSE(packets.empty());
  EXPECT_EQ(b.crossing(framed(packets[0], host_a, "ff:ff:ff:ff:ff:ff"), 0), std::vector<link_index>{1});
}

TEST(bridge_firewall, a_header_that_does_not_add_up_is_dropped_not_passed_unjudged) {
  guarded_bridge b("chain forward policy accept {\n}\n");
  auto packets = lab_packets("lab_tcp_super_frames.pcap");
  auto bad = framed(packets[0], host_a, host_c);
  bad[14 + 10] ^= 0xff; // the IPv4 header checksum
  EXPECT_TRUE(b.crossing(bad, 0).empty());
  EXPECT_EQ(b.counters.value("firewall.bad_ip_header"), 2u); // flooded: judged for links b and c
}

TEST(bridge_firewall, a_rules_file_with_nat_is_named_by_its_line) {
  auto rules = fw::parse_rules("chain forward policy accept {\n}\nnat {\n  oif c masquerade\n}\n", {"a", "b", "c"});
  EXPECT_EQ(nat_rule_line(*rules), 4u);
  EXPECT_EQ(nat_rule_line(*fw::parse_rules(a_to_c_only, {"a", "b", "c"})), 0u);
}

TEST(bridge_firewall, fragments_are_put_together_and_judged_as_their_datagram) {
  // The lab's ping of 3,000 bytes, 10.77.0.1 → 10.77.0.3, in three fragments each way.
  guarded_bridge b(R"(chain forward policy drop {
  ct state established,related accept
  ct state invalid drop
  iif a accept
}
)");
  auto frames = etherbeam::test_frames::pcap_frames("lab_fragments.pcap");
  ASSERT_GE(frames.size(), 6u);
  EXPECT_TRUE(b.crossing(frames[0], 0).empty());
  EXPECT_TRUE(b.crossing(frames[1], 0).empty());
  EXPECT_EQ(b.counters.value("firewall.fragments_held"), 2u);
  // Whole: judged once per link it is flooded to, and sent whole (bridge_app fragments it for the link).
  EXPECT_EQ(b.crossing(frames[2], 0), (std::vector<link_index>{1, 2}));
  EXPECT_EQ(b.sent[0].second.size(), 14u + 20 + 8 + 3000);
  // The answer, from behind link c: an established flow's, back to link a only.
  b.crossing(frames[3], 2);
  b.crossing(frames[4], 2);
  EXPECT_EQ(b.crossing(frames[5], 2), std::vector<link_index>{0});
  EXPECT_EQ(b.counters.value("firewall.fragments_reassembled"), 2u);
  EXPECT_EQ(b.counters.value("firewall.invalid"), 0u);
}

TEST(bridge_firewall, a_trace_names_the_member_links_and_the_rules_met) {
  guarded_bridge b(a_to_c_only);
  b.guard->traces().arm({}, 1);
  auto packets = lab_packets("lab_tcp_super_frames.pcap");
  b.crossing(framed(packets[1], host_c, host_a), 2); // no flow: invalid; flooded, to link a first
  auto taken = b.guard->traces().take();
  ASSERT_EQ(taken.size(), 1u);
  const auto& line = taken[0].second;
  EXPECT_NE(line.find("c tcp 10.77.0.3:5001 > 10.77.0.1:36826 ct state invalid forward oif a"), std::string::npos) << line;
  EXPECT_NE(line.find("line 3: iif a oif c accept\n"), std::string::npos) << line;
  EXPECT_NE(line.find("verdict drop (policy)"), std::string::npos) << line;
}
