#include "apps/firewall/flow_table.hpp"

#include <gtest/gtest.h>

#include "tests/unit/apps/firewall/lab_packets.hpp"

using namespace etherbeam::apps::firewall;
using namespace etherbeam::firewall_test;
using namespace std::chrono_literals;

namespace {

struct tracked {
  flow_table table{{}};
  clock::time_point now = clock::time_point{} + 1h;

  // The packet's flow, started by it when it is new.
  connection_state see(const packet& p, clock::duration later = 0s) {
    now += later;
    auto f = facts_of(p);
    auto m = table.find(f.flow, now);
    if (!m) {
      auto added = table.add(f.flow, f.flow.reversed(), false, now);
      if (!added) return connection_state::invalid;
      m = flow_match{added->id, direction::original};
    }
    return table.update(*m, f, p.size(), now);
  }
  const flow_entry& only() {
    const flow_entry* e = nullptr;
    table.for_each([&](const flow_entry& x) { e = &x; });
    return *e;
  }
};

} // namespace

TEST(flow_table, follows_the_labs_tcp_connection_from_syn_to_time_wait) {
  auto packets = lab_packets("lab_tcp_super_frames.pcap");
  ASSERT_GE(packets.size(), 12u);
  tracked t;
  EXPECT_EQ(t.see(packets[0]), connection_state::new_flow); // SYN
  EXPECT_EQ(t.only().tcp, tcp_state::syn_sent);
  EXPECT_EQ(t.see(packets[1]), connection_state::established); // SYN-ACK
  EXPECT_EQ(t.only().tcp, tcp_state::syn_recv);
  EXPECT_EQ(t.see(packets[2]), connection_state::established); // ACK
  EXPECT_EQ(t.only().tcp, tcp_state::established);
  EXPECT_EQ(t.only().expires - t.now, std::chrono::seconds(432000)); // 5 days, as Linux
  for (std::size_t i = 3; i < 9; ++i) EXPECT_EQ(t.see(packets[i]), connection_state::established);
  t.see(packets[9]); // FIN-ACK from the client
  EXPECT_EQ(t.only().tcp, tcp_state::fin_wait);
  t.see(packets[10]); // the server's FIN-ACK
  EXPECT_EQ(t.only().tcp, tcp_state::last_ack);
  t.see(packets[11]); // the last ACK
  EXPECT_EQ(t.only().tcp, tcp_state::time_wait);
  EXPECT_EQ(t.only().expires - t.now, std::chrono::seconds(120));
  EXPECT_EQ(t.only().packets[0] + t.only().packets[1], 12u);
}

TEST(flow_table, a_segment_that_does_not_fit_the_state_is_invalid) {
  auto packets = lab_packets("lab_tcp_super_frames.pcap");
  tracked t;
  t.see(packets[0]);
  EXPECT_EQ(t.see(packets[2]), connection_state::invalid); // an ACK before the SYN-ACK
  EXPECT_EQ(t.only().tcp, tcp_state::syn_sent);
}

TEST(flow_table, a_udp_flow_expires_after_30_s_unreplied) {
  auto packets = lab_packets("lab_ping_arp_udp.pcap");
  const packet* udp = nullptr;
  for (auto& p : packets)
    if (p[9] == etherbeam::protocols::ip_protocol::udp) udp = &p;
  ASSERT_TRUE(udp);
  tracked t;
  EXPECT_EQ(t.see(*udp), connection_state::new_flow);
  EXPECT_EQ(t.see(*udp, 29s), connection_state::new_flow); // still unreplied: still new
  EXPECT_TRUE(t.table.find(facts_of(*udp).flow, t.now + 29s));
  EXPECT_FALSE(t.table.find(facts_of(*udp).flow, t.now + 31s));
  EXPECT_EQ(t.table.size(), 0u);
}

TEST(flow_table, an_echo_and_its_reply_are_one_flow) {
  auto packets = lab_packets("lab_ping_arp_udp.pcap");
  tracked t;
  EXPECT_EQ(t.see(packets[0]), connection_state::new_flow); // echo request
  auto reply = facts_of(packets[1]);
  auto m = t.table.find(reply.flow, t.now);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->dir, direction::reply);
  EXPECT_EQ(t.table.update(*m, reply, packets[1].size(), t.now), connection_state::established);
}

namespace {

// A UDP packet's facts, from port `from` to 53.
packet_facts udp_facts(std::uint16_t from, bool answer = false) {
  packet_facts f;
  f.flow = {etherbeam::protocols::ip_protocol::udp, {0x0a000001}, {0x0a000002}, from, 53};
  if (answer) f.flow = f.flow.reversed();
  return f;
}

} // namespace

TEST(flow_table, a_full_table_refuses_new_flows_when_every_flow_was_answered) {
  flow_table table{{.max_flows = 3, .timeouts = {}}};
  auto now = clock::time_point{} + 1h;
  for (std::uint16_t port = 1000; port < 1003; ++port) {
    auto t = udp_facts(port).flow;
    auto added = table.add(t, t.reversed(), false, now);
    ASSERT_TRUE(added);
    EXPECT_FALSE(added->made_room);
    table.update({added->id, direction::original}, udp_facts(port), 60, now);
    table.update({added->id, direction::reply}, udp_facts(port, true), 60, now);
    EXPECT_TRUE(table.entry(added->id).assured);
  }
  auto t = udp_facts(1003).flow;
  EXPECT_FALSE(table.add(t, t.reversed(), false, now));
  EXPECT_EQ(table.size(), 3u);
  t.source_port = 1000;
  EXPECT_TRUE(table.find(t, now));
  // Once the old flows have expired (an answered UDP flow lives 120 s), room again.
  t.source_port = 1003;
  EXPECT_TRUE(table.add(t, t.reversed(), false, now + 121s));
  EXPECT_EQ(table.size(), 1u);
}

TEST(flow_table, a_full_table_gives_the_oldest_unanswered_flows_place_to_a_new_one) {
  // Linux's early drop: a SYN flood's half-open flows (or a scan's unanswered
  // datagrams) cannot keep a real connection out.
  flow_table table{{.max_flows = 3, .timeouts = {}}};
  auto now = clock::time_point{} + 1h;
  auto open = [&](std::uint16_t port) { auto t = udp_facts(port).flow; return table.add(t, t.reversed(), false, now); };
  auto answered = open(1000);
  table.update({answered->id, direction::original}, udp_facts(1000), 60, now);
  table.update({answered->id, direction::reply}, udp_facts(1000, true), 60, now);
  for (std::uint16_t port : {1001, 1002}) {
    auto added = open(port);
    table.update({added->id, direction::original}, udp_facts(port), 60, now);
  }
  auto newest = open(1003);
  ASSERT_TRUE(newest);
  EXPECT_TRUE(newest->made_room);
  EXPECT_EQ(table.size(), 3u);
  EXPECT_TRUE(table.find(udp_facts(1000).flow, now));  // answered: kept
  EXPECT_FALSE(table.find(udp_facts(1001).flow, now)); // the oldest unanswered: gone
  EXPECT_TRUE(table.find(udp_facts(1002).flow, now));
  ASSERT_TRUE(open(1004));
  EXPECT_FALSE(table.find(udp_facts(1002).flow, now));
  EXPECT_TRUE(table.find(udp_facts(1000).flow, now));
}

TEST(flow_table, a_tcp_connection_is_kept_once_established_and_an_echo_never) {
  auto tcp = lab_packets("lab_tcp_super_frames.pcap");
  tracked t;
  t.see(tcp[0]);
  t.see(tcp[1]); // SYN-ACK: answered, but half-open
  EXPECT_FALSE(t.only().assured);
  t.see(tcp[2]);
  EXPECT_TRUE(t.only().assured);
  auto ping = lab_packets("lab_ping_arp_udp.pcap");
  tracked echo;
  echo.see(ping[0]);
  echo.see(ping[1]);
  EXPECT_FALSE(echo.only().assured); // as Linux: ICMP flows are short and never assured
}
