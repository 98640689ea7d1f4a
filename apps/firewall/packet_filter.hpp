#pragma once
// The "locked" flow model: one flow table for every thread that judges
// packets, behind one lock held for a lookup and an update (a few hundred
// nanoseconds). The other models own their flows in actors
// (apps/router/flow_actors.hpp) and judge with the same flow_judge.
#include <memory>
#include <mutex>
#include <string>

#include "apps/firewall/flow_judge.hpp"

namespace etherbeam::apps::firewall {

class packet_filter {
public:
  // `rules`: shared with whoever reloads them (SIGHUP: the flows already
  // tracked stay, and established ones keep passing without meeting the new
  // rules, as nftables reloads do).
  packet_filter(std::shared_ptr<const rules_in_force> rules, flow_table::settings table);

  filter_decision decide(const judged_packet& packet);

  std::size_t flows() const;
  void expire(clock::time_point now);
  // One line per tracked flow (conntrack -L's), for the control socket.
  std::string list_flows(clock::time_point now) const;

private:
  mutable std::mutex lock_;
  std::shared_ptr<const rules_in_force> rules_;
  flow_table table_;
};

// One line of `etherbeam conntrack` for a flow.
std::string describe_flow(const flow_entry& e, clock::time_point now);

} // namespace etherbeam::apps::firewall
