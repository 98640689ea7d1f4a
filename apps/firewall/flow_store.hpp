#pragma once
// Where the flows a firewall decision reads and writes are kept. The
// decision (flow_judge.hpp) is the same whichever concurrency model owns
// the flows: one table behind a lock, a table per shard actor, or an actor
// per flow; each model gives it the store it has. Pure.
#include <optional>

#include "apps/firewall/flow_table.hpp"

namespace etherbeam::apps::firewall {

class flow_store {
public:
  virtual ~flow_store() = default;
  // The flow `t` belongs to, in which direction; an expired flow is not found.
  virtual std::optional<flow_match> find(const flow_tuple& t, clock::time_point now) = 0;
  virtual const flow_entry& entry(std::uint32_t id) const = 0;
  // A packet of flow `m` seen: returns the state a rule sees (see flow_table::update).
  virtual connection_state update(flow_match m, const packet_facts& facts, std::size_t bytes,
                                  clock::time_point now) = 0;
  // Starts tracking a flow, in an unanswered one's place when full; nullopt:
  // no room, or a tuple already taken.
  virtual std::optional<added_flow> add(const flow_tuple& original, const flow_tuple& reply, bool to_us,
                                        clock::time_point now) = 0;
  // Whether a new flow may take `reply` as its answers' tuple (NAT asks
  // before it picks a port; a shard also wants the tuple to hash to it).
  virtual bool free(const flow_tuple& reply, clock::time_point now) = 0;
};

// The store of the locked and sharded models: a flow_table.
class table_store : public flow_store {
public:
  explicit table_store(flow_table& table) : table_(table) {}
  std::optional<flow_match> find(const flow_tuple& t, clock::time_point now) override { return table_.find(t, now); }
  const flow_entry& entry(std::uint32_t id) const override { return table_.entry(id); }
  connection_state update(flow_match m, const packet_facts& facts, std::size_t bytes, clock::time_point now) override {
    return table_.update(m, facts, bytes, now);
  }
  std::optional<added_flow> add(const flow_tuple& original, const flow_tuple& reply, bool to_us,
                                clock::time_point now) override {
    return table_.add(original, reply, to_us, now);
  }
  bool free(const flow_tuple& reply, clock::time_point now) override { return table_.free(reply, now); }

protected:
  flow_table& table_;
};

} // namespace etherbeam::apps::firewall
