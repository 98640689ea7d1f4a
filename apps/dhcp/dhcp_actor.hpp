#pragma once
// The DHCP actor: the wire side of the DHCP server. The lease manager decides
// and persists; this actor frames each decided reply (Ethernet, IPv4, UDP,
// addressed by RFC 2131 §4.1) and hands it to the sender. Stateless, so it
// runs on the shared scheduler and takes that work off the lease manager's
// thread.
#include <memory>

#include "apps/dhcp/dhcp_messages.hpp"
#include "apps/dhcp/dhcp_counters.hpp"

namespace caf {
class actor_system;
}

namespace etherbeam::apps::dhcp {

// Spawns it and registers it under dhcp_registry_name.
dhcp_actor spawn_dhcp_actor(caf::actor_system& system, std::shared_ptr<dhcp_counters> counters);

} // namespace etherbeam::apps::dhcp
