#pragma once
// Connection tracking (as Linux's nf_conntrack does it): each flow is known
// by the tuple of its first packet and by the tuple its answers carry (which
// differ once NAT rewrites it); TCP goes through its state machine, UDP and
// ICMP echo flows through "unreplied" and "replied"; each state has Linux's
// default timeout. The table is bounded. When it is full, a new flow takes
// the place of one nobody has answered yet (Linux's early drop: a SYN
// flood's half-open flows make room for real ones), and is refused (counted
// by the caller) when every flow is an answered one; either way a SYN flood
// cannot exhaust memory, and packets of the flows already tracked keep
// passing. Pure, and not thread-safe: one owner at a time (see flow_store.hpp).
#include <chrono>
#include <cstdint>
#include <optional>
#include <unordered_map>
#include <vector>

#include "apps/firewall/packet_facts.hpp"
#include "apps/firewall/tcp_window.hpp"

namespace etherbeam::apps::firewall {

using clock = std::chrono::steady_clock;

// The connection state a rule matches (`ct state ...`).
enum class connection_state : std::uint8_t { new_flow, established, related, invalid };
const char* name_of(connection_state s);

// TCP's states as conntrack keeps them (nf_conntrack_proto_tcp.c).
enum class tcp_state : std::uint8_t { none, syn_sent, syn_recv, established, fin_wait, close_wait, last_ack,
                                      time_wait, close };
const char* name_of(tcp_state s);

enum class direction : std::uint8_t { original = 0, reply = 1 };

struct flow_timeouts { // Linux's defaults (net.netfilter.nf_conntrack_*_timeout*)
  clock::duration tcp_syn_sent = std::chrono::seconds(120), tcp_syn_recv = std::chrono::seconds(60),
                  tcp_established = std::chrono::seconds(432000), tcp_fin_wait = std::chrono::seconds(120),
                  tcp_close_wait = std::chrono::seconds(60), tcp_last_ack = std::chrono::seconds(30),
                  tcp_time_wait = std::chrono::seconds(120), tcp_close = std::chrono::seconds(10),
                  udp = std::chrono::seconds(30), udp_stream = std::chrono::seconds(120),
                  icmp = std::chrono::seconds(30), other = std::chrono::seconds(600);
};

struct flow_entry {
  flow_tuple original; // as its first packet carried it
  flow_tuple reply;    // as its answers carry it: original reversed, then NAT applied
  tcp_state tcp = tcp_state::none;
  bool seen_reply = false;
  bool to_us = false; // a flow to etherbeam itself (the input path): its answers are not seen here
  std::uint8_t fin_from = 0; // TCP: bit 0 the original direction sent FIN, bit 1 the reply direction
  // Answered (TCP: established once; ICMP never, as Linux's IPS_ASSURED): a
  // full table never gives this flow's place to a new one.
  bool assured = false;
  clock::time_point expires{};
  std::uint64_t packets[2] = {0, 0};
  std::uint64_t bytes[2] = {0, 0};
  tcp_window window; // TCP: the sequence space each side has used, to judge resets by
  bool source_translated() const { return reply.destination != original.source || reply.destination_port != original.source_port; }
  bool destination_translated() const { return reply.source != original.destination || reply.source_port != original.destination_port; }
};

// A packet of the flow `e` seen going `dir`: its TCP state, counters and
// timeout move on. Returns the state a rule sees: invalid for a TCP packet
// the state machine refuses.
connection_state advance_flow(flow_entry& e, direction dir, const packet_facts& facts, std::size_t bytes,
                              clock::time_point now, const flow_timeouts& timeouts);

struct flow_match {
  std::uint32_t id = 0;
  direction dir = direction::original;
};

struct added_flow {
  std::uint32_t id = 0;
  bool made_room = false; // an unanswered flow was dropped for it (conntrack -S's early_drop)
};

class flow_table {
public:
  struct settings {
    std::size_t max_flows = 65536; // Linux sizes nf_conntrack_max by memory; 65,536 on a 4 GiB machine
    flow_timeouts timeouts;
  };
  explicit flow_table(settings s);

  // The flow `t` belongs to, in which direction; an expired flow is removed and not found.
  std::optional<flow_match> find(const flow_tuple& t, clock::time_point now);
  // Starts tracking a flow (`reply` as NAT made it). nullopt: the table is
  // full of answered flows (after removing what had expired), or `reply` is
  // already taken.
  std::optional<added_flow> add(const flow_tuple& original, const flow_tuple& reply, bool to_us,
                                clock::time_point now);
  // Whether `t` names no tracked flow (NAT asks before it picks a port).
  bool free(const flow_tuple& t, clock::time_point now) { return !find(t, now); }

  // A packet of flow `m` seen: its state and timeout move on. Returns the
  // state a rule sees, invalid for a TCP packet the state machine refuses.
  connection_state update(flow_match m, const packet_facts& facts, std::size_t bytes, clock::time_point now);

  const flow_entry& entry(std::uint32_t id) const { return entries_[id]; }
  std::size_t size() const { return live_; }
  std::size_t capacity() const { return settings_.max_flows; }
  // Removes every expired flow; returns how many.
  std::size_t expire(clock::time_point now);
  // Every live flow (for listing).
  template <class F> void for_each(F f) const {
    for (const auto& e : entries_)
      if (in_use(e)) f(e);
  }
  // Bytes held per tracked flow, at full table (the entry and its two index nodes).
  static std::size_t bytes_per_flow();

private:
  bool in_use(const flow_entry& e) const { return e.expires != clock::time_point{}; }
  void remove(std::uint32_t id);
  bool drop_an_unanswered_flow(clock::time_point now);

  settings settings_;
  std::vector<flow_entry> entries_;
  std::vector<std::uint32_t> free_ids_;
  std::unordered_map<flow_tuple, flow_match, flow_tuple_hash> index_;
  std::size_t live_ = 0;
  clock::time_point last_sweep_{};
  std::uint32_t eviction_cursor_ = 0; // where the search for an unanswered flow goes on
};

} // namespace etherbeam::apps::firewall
