#pragma once
// A link's neighbours, as Linux keeps them (ip-neighbour(8)): the MAC of each
// next hop, learned by ARP. A packet for a neighbour not yet known waits in a
// bounded queue while ARP asks (INCOMPLETE: a broadcast request a second, three
// at most, then FAILED and the queue dropped). An answer makes it REACHABLE for
// 30 s; after that it is STALE, still used, and the next packet sent to it
// asks again by unicast (PROBE), three times before it is FAILED. Entries
// unused for 60 s go; the table is bounded, so a scan of a /8 cannot grow it
// without end, and when it is full, FAILED entries and those neither
// confirmed nor used for 5 s make room (Linux's forced garbage collection),
// so a scan or a flood of spoofed ARP cannot keep real next hops out for
// long. On a bridged link (stack_identity::bridged) a neighbour may
// answer by any member link: each entry keeps the link it answered on, its
// port, and packets for it leave by that one. Pure: time is passed in,
// actions come out through `output`.
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "actors/link_index.hpp"
#include "protocols/addresses.hpp"

namespace etherbeam::apps::router {

class neighbour_table {
public:
  using clock = std::chrono::steady_clock;
  using packet = std::vector<std::uint8_t>; // an IPv4 packet, without its link header

  enum class state : std::uint8_t { incomplete, reachable, stale, probe, failed };
  static std::string_view to_string(state s);

  // Where a neighbour is: its MAC, and the link it answered on.
  struct location {
    protocols::mac_address mac{};
    actors::link_index port = 0;
    friend bool operator==(const location&, const location&) = default;
  };

  struct settings {
    std::size_t max_entries = 1024;      // Linux's gc_thresh3
    std::size_t queue_per_neighbour = 16; // packets waiting for an answer
    clock::duration retransmit = std::chrono::seconds(1);
    unsigned probes = 3;
    clock::duration reachable = std::chrono::seconds(30);
    clock::duration unused_stale = std::chrono::seconds(60); // Linux's gc_stale_time
  };

  // What the table asks its owner to do.
  struct output {
    std::function<void(const location& to, packet&&)> send;
    // An ARP request for `target`: broadcast (on every bridged link), or unicast to `to` (a probe).
    std::function<void(protocols::ipv4_address target, std::optional<location> to)> ask;
    // Packets given up on: the neighbour never answered (ICMP host unreachable).
    std::function<void(packet&&)> undeliverable;
  };

  enum class outcome : std::uint8_t { sent, queued, queue_full, table_full };

  explicit neighbour_table(settings s) : settings_(s) {}

  outcome route(protocols::ipv4_address next_hop, packet p, clock::time_point now, const output& out);
  // ARP from `ip`, at `where`: a reply to our request confirms it (REACHABLE);
  // a request updates a known entry and creates a STALE one, as Linux does
  // for requests to its own addresses; other ARP (`update_only`) updates a
  // known entry only. Waiting packets leave.
  void heard(protocols::ipv4_address ip, const location& where, bool is_reply, clock::time_point now,
             const output& out, bool update_only = false);
  // Retries, expiry, failures: call about every retransmit interval.
  void tick(clock::time_point now, const output& out);

  std::optional<state> state_of(protocols::ipv4_address ip) const;
  std::optional<location> location_of(protocols::ipv4_address ip) const;
  std::size_t size() const { return entries_.size(); }
  // One line per neighbour, as `ip neigh` prints them ("10.88.0.1 dev b lladdr
  // MAC REACHABLE"; dev: the link it answered on, or `link` before it has),
  // sorted by address.
  std::string list(const std::function<std::string(actors::link_index)>& name_of, actors::link_index link) const;
  // Every REACHABLE neighbour and where it is (for neighbour_cache).
  template <class F> void for_each_reachable(F f) const {
    for (const auto& [ip, e] : entries_)
      if (e.now == state::reachable) f(ip, e.at);
  }

private:
  struct entry {
    state now = state::incomplete;
    location at{};
    clock::time_point since{};     // of the last confirmation (reachable), or the last probe sent
    clock::time_point last_used{};
    unsigned probes_sent = 0;
    std::vector<packet> waiting;
  };
  struct hash {
    std::size_t operator()(protocols::ipv4_address a) const { return std::hash<std::uint32_t>{}(a.value); }
  };

  void deliver(entry& e, const output& out);
  // Whether a new entry fits, after forgetting what a full table may (see above).
  bool room_for_one(clock::time_point now);

  settings settings_;
  std::unordered_map<protocols::ipv4_address, entry, hash> entries_;
  clock::time_point nothing_to_forget_at_{}; // the last full table that had nothing to forget
};

} // namespace etherbeam::apps::router
