#include "apps/bridge/mac_table.hpp"

namespace etherbeam::apps::bridge {

std::size_t mac_hash::operator()(const protocols::mac_address& m) const noexcept {
  std::uint64_t x = 0;
  for (auto b : m.octets) x = (x << 8) | b;
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  return static_cast<std::size_t>(x);
}

mac_table::learned mac_table::learn(const protocols::mac_address& mac, actors::link_index link, clock::time_point now) {
  auto it = entries_.find(mac);
  if (it != entries_.end()) {
    bool moved = it->second.link != link;
    it->second = {link, now};
    return moved ? learned::moved : learned::refreshed;
  }
  if (entries_.size() >= settings_.max_entries && (now - last_sweep_ < std::chrono::seconds(1) || expire(now) == 0))
    return learned::table_full;
  entries_.emplace(mac, entry{link, now});
  return learned::added;
}

std::optional<actors::link_index> mac_table::lookup(const protocols::mac_address& mac, clock::time_point now) {
  auto it = entries_.find(mac);
  if (it == entries_.end()) return std::nullopt;
  if (now - it->second.seen > settings_.ageing) {
    entries_.erase(it);
    return std::nullopt;
  }
  return it->second.link;
}

std::size_t mac_table::expire(clock::time_point now) {
  last_sweep_ = now;
  return std::erase_if(entries_, [&](const auto& kv) { return now - kv.second.seen > settings_.ageing; });
}

} // namespace etherbeam::apps::bridge
