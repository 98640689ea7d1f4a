#pragma once
// The sharded flow model's pure part: which shard owns a flow, and each
// shard's store. A flow belongs to the shard its tuple hashes to, with a
// hash that is the same for a tuple and its reverse; masquerade takes only
// ports whose answers hash back to the same shard (as VPP's NAT gives each
// worker its own ports); a port forward's answers, whose tuple hashes
// elsewhere, are redirected to the shard of their flow.
#include <atomic>
#include <functional>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "apps/firewall/flow_store.hpp"

namespace etherbeam::apps::firewall {

std::size_t symmetric_shard(const flow_tuple& t, std::size_t shards);

// Shared by the shards and the stage that hands packets to them.
class shard_map {
public:
  explicit shard_map(std::size_t shards) : shards_(shards), flows_(shards) {}
  std::size_t owner(const flow_tuple& t) const;
  void redirect(const flow_tuple& t, std::size_t shard);
  // Forgets the redirects to `shard` for which `gone(tuple)`.
  void forget(std::size_t shard, const std::function<bool(const flow_tuple&)>& gone);
  std::size_t redirects() const { return redirected_.load(); }
  // Each shard's count of flows, published after each packet.
  void publish(std::size_t shard, std::size_t flows) { flows_[shard].store(flows, std::memory_order_relaxed); }
  std::size_t flows() const;

private:
  std::size_t shards_;
  std::vector<std::atomic<std::size_t>> flows_;
  mutable std::mutex lock_;
  std::unordered_map<flow_tuple, std::size_t, flow_tuple_hash> redirects_;
  std::atomic<std::size_t> redirected_{0};
};

// One shard's flows: its own table; NAT may take only answer tuples this
// shard owns.
class shard_store final : public table_store {
public:
  shard_store(flow_table& table, shard_map& map, std::size_t me) : table_store(table), map_(map), me_(me) {}
  bool free(const flow_tuple& reply, clock::time_point now) override;
  std::optional<added_flow> add(const flow_tuple& original, const flow_tuple& reply, bool to_us,
                                   clock::time_point now) override;

private:
  shard_map& map_;
  std::size_t me_;
};

} // namespace etherbeam::apps::firewall
