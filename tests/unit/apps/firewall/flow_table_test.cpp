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
      auto id = table.add(f.flow, f.flow.reversed(), false, now);
      if (!id) return connection_state::invalid;
      m = flow_match{*id, direction::original};
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

TEST(flow_table, a_full_table_refuses_new_flows_and_keeps_the_old_ones) {
  flow_table table{{.max_flows = 3, .timeouts = {}}};
  auto now = clock::time_point{} + 1h;
  flow_tuple t{etherbeam::protocols::ip_protocol::udp, {0x0a000001}, {0x0a000002}, 1000, 53};
  for (std::uint16_t port = 1000; port < 1003; ++port) {
    t.source_port = port;
    EXPECT_TRUE(table.add(t, t.reversed(), false, now));
  }
  t.source_port = 1003;
  EXPECT_FALSE(table.add(t, t.reversed(), false, now));
  EXPECT_EQ(table.size(), 3u);
  t.source_port = 1000;
  EXPECT_TRUE(table.find(t, now));
  // Once the old flows have expired, room again.
  t.source_port = 1003;
  EXPECT_TRUE(table.add(t, t.reversed(), false, now + 31s));
  EXPECT_EQ(table.size(), 1u);
}
