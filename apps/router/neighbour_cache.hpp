#pragma once
// What each link's neighbour actor knows to be REACHABLE, published for the
// forwarding decider: a packet whose next hop is in it is framed by the
// frame's own decider and written to the out-link's raw_binder by the same
// thread, as a reply is (through the neighbour actor it is two mailbox hops,
// the actor's and the out-link sender's). The actor stays the owner of the
// table: it republishes when what is reachable changes, and everything else
// (unresolved, STALE, FAILED, fragmenting) still goes through it, so Linux's
// neighbour states hold as before. Read from any thread.
#include <atomic>
#include <memory>
#include <optional>
#include <unordered_map>

#include "actors/link_index.hpp"
#include "apps/router/neighbour_table.hpp"
#include "protocols/addresses.hpp"

namespace etherbeam::apps::router {

class neighbour_cache {
public:
  using location = neighbour_table::location;
  using snapshot = std::unordered_map<std::uint32_t, location>; // IPv4 address -> MAC and port

  explicit neighbour_cache(std::size_t links)
      : links_(std::make_unique<std::atomic<std::shared_ptr<const snapshot>>[]>(links)), count_(links) {}

  std::optional<location> reachable(actors::link_index link, protocols::ipv4_address ip) const {
    if (link >= count_) return std::nullopt;
    auto s = links_[link].load(std::memory_order_acquire);
    if (!s) return std::nullopt;
    auto it = s->find(ip.value);
    if (it == s->end()) return std::nullopt;
    return it->second;
  }
  void publish(actors::link_index link, std::shared_ptr<const snapshot> s) {
    links_[link].store(std::move(s), std::memory_order_release);
  }

private:
  std::unique_ptr<std::atomic<std::shared_ptr<const snapshot>>[]> links_;
  std::size_t count_;
};

} // namespace etherbeam::apps::router
