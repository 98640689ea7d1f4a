#pragma once
// The simulated hosts' place in the frame path: a stage before dispatch that
// takes the frames for a host (to its MAC; an ARP request for its address;
// a DHCP answer to its hardware address, broadcast) and hands each to that
// host's actor. Every other frame goes on to etherbeam's own applications.
#include <functional>
#include <memory>

#include "actors/named_counters.hpp"
#include "actors/registration.hpp"
#include "apps/sim/host_directory.hpp"

namespace etherbeam::apps::sim {

// Gives a frame to a host's actor; false when the host has none (removed).
using hand_to_host = std::function<bool(host_index host, protocols::byte_view frame, caf::execution_unit* here)>;

class sim_stage : public actors::frame_decider {
public:
  sim_stage(std::shared_ptr<const host_directory> hosts, actors::counter_registry& counters, hand_to_host hand);
  actors::verdict decide(const actors::inbound_frame& in, protocols::byte_buffer reply) const override;

private:
  std::optional<host_index> host_for(const actors::inbound_frame& in) const;

  std::shared_ptr<const host_directory> hosts_;
  hand_to_host hand_;
  actors::named_counter &to_host_, &host_gone_;
};

} // namespace etherbeam::apps::sim
