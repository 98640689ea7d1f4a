#include "apps/firewall/shard_store.hpp"

namespace etherbeam::apps::firewall {

std::size_t symmetric_shard(const flow_tuple& t, std::size_t shards) {
  auto a = (std::uint64_t(t.source.value) << 16) | t.source_port;
  auto b = (std::uint64_t(t.destination.value) << 16) | t.destination_port;
  if (a > b) std::swap(a, b);
  std::uint64_t h = (a * 0x9e3779b97f4a7c15ULL) ^ (b + 0x632be59bd9b4e019ULL) ^ t.protocol;
  h ^= h >> 29;
  h *= 0xbf58476d1ce4e5b9ULL;
  h ^= h >> 32;
  return static_cast<std::size_t>(h % shards);
}

std::size_t shard_map::owner(const flow_tuple& t) const {
  if (redirected_.load(std::memory_order_relaxed) != 0) {
    std::lock_guard guard(lock_);
    if (auto it = redirects_.find(t); it != redirects_.end()) return it->second;
  }
  return symmetric_shard(t, shards_);
}

void shard_map::redirect(const flow_tuple& t, std::size_t shard) {
  std::lock_guard guard(lock_);
  redirects_[t] = shard;
  redirected_.store(redirects_.size());
}

void shard_map::forget(std::size_t shard, const std::function<bool(const flow_tuple&)>& gone) {
  if (redirected_.load() == 0) return;
  std::lock_guard guard(lock_);
  std::erase_if(redirects_, [&](const auto& r) { return r.second == shard && gone(r.first); });
  redirected_.store(redirects_.size());
}

std::size_t shard_map::flows() const {
  std::size_t n = 0;
  for (const auto& f : flows_) n += f.load(std::memory_order_relaxed);
  return n;
}

bool shard_store::free(const flow_tuple& reply, clock::time_point now) {
  return map_.owner(reply) == me_ && table_.free(reply, now);
}

std::optional<added_flow> shard_store::add(const flow_tuple& original, const flow_tuple& reply, bool to_us,
                                              clock::time_point now) {
  auto id = table_.add(original, reply, to_us, now);
  if (id && map_.owner(reply) != me_) map_.redirect(reply, me_); // a port forward's answers
  return id;
}

} // namespace etherbeam::apps::firewall
