#pragma once
// A learning bridge's forwarding table (IEEE 802.1D §7.8, as Linux's bridge
// keeps it): which link each source MAC was last seen on, forgotten after
// the ageing time (300 s by default), moved when the MAC shows up on another
// link, and bounded — when full, a new MAC is not learned (its frames are
// flooded, as for any unknown address) and counted. Pure, not thread-safe.
#include <chrono>
#include <cstdint>
#include <optional>
#include <unordered_map>

#include "actors/link_index.hpp"
#include "protocols/addresses.hpp"

namespace etherbeam::apps::bridge {

using clock = std::chrono::steady_clock;

struct mac_hash {
  std::size_t operator()(const protocols::mac_address& m) const noexcept;
};

class mac_table {
public:
  struct settings {
    std::size_t max_entries = 4096;
    clock::duration ageing = std::chrono::seconds(300); // Linux's ageing_time
  };
  enum class learned : std::uint8_t { added, refreshed, moved, table_full };

  explicit mac_table(settings s) : settings_(s) {}

  // A frame from `mac` arrived on `link`. `mac` must not be a group address.
  learned learn(const protocols::mac_address& mac, actors::link_index link, clock::time_point now);
  // Where `mac` was last seen, unless that is older than the ageing time.
  std::optional<actors::link_index> lookup(const protocols::mac_address& mac, clock::time_point now);
  std::size_t size() const { return entries_.size(); }
  // Forgets every entry older than the ageing time; returns how many.
  std::size_t expire(clock::time_point now);
  template <class F> void for_each(F f) const {
    for (const auto& [mac, e] : entries_) f(mac, e.link, e.seen);
  }

private:
  struct entry {
    actors::link_index link;
    clock::time_point seen;
  };
  settings settings_;
  std::unordered_map<protocols::mac_address, entry, mac_hash> entries_;
  clock::time_point last_sweep_{};
};

} // namespace etherbeam::apps::bridge
