#pragma once
// etherbeam's supervision tree: which long-lived actors exist and who restarts
// them. docs/ARCHITECTURE.md draws it.
#include <functional>
#include <memory>
#include <vector>

#include "actors/control_channel.hpp"
#include "actors/stack_counters.hpp"
#include "server/server_config.hpp"
#include "supervision/supervisor.hpp"

namespace caf {
class actor_system;
}

namespace etherbeam::server {

// What SIGHUP calls, one per running application that reloads.
using reloader = std::function<void(const server_config& next, caf::actor_system& system)>;

// root (one_for_one): each link's sender, each enabled application's
// actors, then each link's ingress, which dispatches frames to the
// applications' registrations. All are permanent; a sender registers itself
// by name, so the others need no restart when it changes. With one link the
// children are "sender" and "ingress"; with more, "sender.NAME" and
// "ingress.NAME". `ingress_sockets` holds each served link's bound socket, in
// served_links() order. Throws config_error for an application that cannot
// start as configured, registration_clash for two claiming one port.
supervision::supervisor_spec root_supervisor_spec(caf::actor_system& system, const server_config& config,
                                                  const std::vector<int>& ingress_sockets,
                                                  std::shared_ptr<actors::stack_counters> counters,
                                                  std::vector<reloader>* reloaders = nullptr,
                                                  std::vector<actors::control_command>* commands = nullptr);

} // namespace etherbeam::server
