#include "apps/firewall/shard_store.hpp"

#include <gtest/gtest.h>

#include <array>
#include <memory>

#include "apps/firewall/flow_judge.hpp"
#include "apps/firewall/rules_file.hpp"
#include "tests/unit/apps/firewall/lab_packets.hpp"

using namespace etherbeam::apps::firewall;
using namespace etherbeam::firewall_test;
using etherbeam::protocols::ipv4_address;
using namespace std::chrono_literals;

namespace {

// The packet_filter tests' router (lan 10.77.0.0/24, wan behind 192.0.2.1),
// its flows in four shards, each packet judged by the shard that owns it.
struct sharded_lab {
  static constexpr std::size_t shards = 4;
  std::shared_ptr<const rule_set> rules;
  shard_map map{shards};
  std::vector<std::unique_ptr<flow_table>> tables;
  clock::time_point now = clock::time_point{} + 1h;
  std::size_t last_shard = 0;

  explicit sharded_lab(const std::string& text) : rules(parse_rules(text, {"lan", "wan"})) {
    for (std::size_t i = 0; i < shards; ++i) tables.push_back(std::make_unique<flow_table>(flow_table::settings{}));
  }
  packet_path route(ipv4_address a) const { return lab_route(a); }
  filter_decision see(const packet& p, etherbeam::actors::link_index in) {
    auto facts = facts_of(p);
    last_shard = map.owner(lookup_tuple(facts));
    shard_store store(*tables[last_shard], map, last_shard);
    std::function<packet_path(ipv4_address)> routing = [this](ipv4_address a) { return route(a); };
    return judge(store, *rules, {facts, in, p.size(), routing, now});
  }
};

const char* stateful_with_a_port_forward = "chain forward policy drop {\n  ct state established,related accept\n  iif lan oif wan accept\n"
                       "  iif wan ip daddr 10.77.0.3 tcp dport 5001 accept\n}\n";

} // namespace

TEST(shard_store, a_tuple_and_its_reverse_hash_to_one_shard_and_flows_spread) {
  std::array<int, 4> per_shard{};
  for (std::uint32_t i = 0; i < 4000; ++i) {
    flow_tuple t{6, ipv4_address{0x0a000000u + i * 7919u}, ipv4_address{0xc6336400u + i % 13}, std::uint16_t(1024 + i),
                 std::uint16_t(i % 3 ? 443 : 80)};
    auto s = symmetric_shard(t, 4);
    ASSERT_EQ(s, symmetric_shard(t.reversed(), 4)) << t.to_string();
    ++per_shard[s];
  }
  for (int n : per_shard) EXPECT_GT(n, 800); // 1,000 each if even
}

TEST(shard_store, masquerade_picks_a_port_whose_answers_come_back_to_the_same_shard) {
  auto packets = lab_packets("lab_tcp_super_frames.pcap");
  sharded_lab lab(std::string(stateful_with_a_port_forward) + "nat {\n  oif wan masquerade\n}\n");
  // Many connections out (the lab's SYN from other ports): each answered through its own shard.
  for (std::uint16_t port = 40000; port < 40064; ++port) {
    auto syn = packets[0];
    translate(syn, packet_side::source, {ip("10.77.0.1"), port});
    translate(syn, packet_side::destination, {ip("198.51.100.3"), 5001});
    auto out = lab.see(syn, 0);
    ASSERT_EQ(out.what, filter_decision::kind::accept);
    ASSERT_TRUE(out.new_source);
    auto owner = lab.last_shard;
    auto syn_ack = packets[1];
    translate(syn_ack, packet_side::source, {ip("198.51.100.3"), 5001});
    translate(syn_ack, packet_side::destination, *out.new_source);
    auto back = lab.see(syn_ack, 1);
    EXPECT_EQ(lab.last_shard, owner) << "port " << out.new_source->port;
    EXPECT_EQ(back.what, filter_decision::kind::accept);
    ASSERT_TRUE(back.new_destination);
    EXPECT_EQ(back.new_destination->port, port);
  }
  EXPECT_EQ(lab.map.redirects(), 0u);
}

TEST(shard_store, a_port_forwards_answers_are_redirected_to_its_flows_shard_until_it_ends) {
  auto packets = lab_packets("lab_tcp_super_frames.pcap");
  sharded_lab lab(std::string(stateful_with_a_port_forward) + "nat {\n  iif wan tcp dport 8080 dnat to 10.77.0.3:5001\n}\n");
  int redirected = 0;
  for (std::uint16_t port = 40000; port < 40032; ++port) {
    auto syn = packets[0];
    translate(syn, packet_side::source, {ip("198.51.100.9"), port});
    translate(syn, packet_side::destination, {ip("192.0.2.1"), 8080});
    ASSERT_EQ(lab.see(syn, 1).what, filter_decision::kind::accept);
    auto owner = lab.last_shard;
    auto syn_ack = packets[1]; // from 10.77.0.3:5001
    translate(syn_ack, packet_side::destination, {ip("198.51.100.9"), port});
    auto answer = lab.see(syn_ack, 0);
    EXPECT_EQ(lab.last_shard, owner);
    ASSERT_TRUE(answer.new_source);
    EXPECT_EQ(answer.new_source->port, 8080);
    if (symmetric_shard(facts_of(syn_ack).flow, sharded_lab::shards) != owner) ++redirected;
  }
  EXPECT_GT(redirected, 0);
  EXPECT_EQ(lab.map.redirects(), std::size_t(redirected));
  // The flows expire (SYN_RECV: 60 s); each shard forgets its redirects.
  lab.now += 61s;
  for (std::size_t i = 0; i < sharded_lab::shards; ++i) {
    lab.tables[i]->expire(lab.now);
    lab.map.forget(i, [&](const flow_tuple& t) { return lab.tables[i]->free(t, lab.now); });
  }
  EXPECT_EQ(lab.map.redirects(), 0u);
}
