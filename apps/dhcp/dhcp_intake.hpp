#pragma once
// Where DHCP messages enter the DHCP application: the decider registered for
// UDP port 67 (from hosts without an address too). It parses the message in
// the frame's actor and hands it to the lease manager, which decides, keeps
// the lease and replies. Pure but for the hand-off, which the caller gives.
#include <functional>
#include <memory>

#include "actors/admission_gate.hpp"
#include "actors/registration.hpp"
#include "apps/dhcp/dhcp_counters.hpp"
#include "apps/dhcp/dhcp_server.hpp"

namespace etherbeam::apps::dhcp {

class dhcp_intake final : public actors::frame_decider {
public:
  // Delivers a parsed message to the lease manager; false when none runs
  // (it is restarting: the client will retransmit).
  using hand_off = std::function<bool(dhcp_inbound&& message, caf::execution_unit* here)>;

  dhcp_intake(std::shared_ptr<dhcp_counters> counters, std::shared_ptr<actors::admission_gate> backlog,
              hand_off deliver);

  actors::verdict decide(const actors::inbound_frame& in, protocols::byte_buffer reply) const override;

private:
  std::shared_ptr<dhcp_counters> counters_;
  std::shared_ptr<actors::admission_gate> backlog_;
  hand_off deliver_;
  actors::layer_counters& malformed_;
};

} // namespace etherbeam::apps::dhcp
