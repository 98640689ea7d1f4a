#pragma once
// etherbeam's supervision tree: which long-lived actors exist and who restarts
// them. docs/ARCHITECTURE.md draws it.
#include <functional>
#include <memory>
#include <vector>

#include "actors/control_channel.hpp"
#include "actors/dispatcher.hpp"
#include "actors/ingress.hpp"
#include "actors/link.hpp"
#include "actors/link_directory.hpp"
#include "actors/stack_counters.hpp"
#include "server/server_config.hpp"
#include "supervision/supervisor.hpp"

namespace caf {
class actor_system;
}

namespace etherbeam::server {

// What SIGHUP calls, one per running application that reloads.
using reloader = std::function<void(const server_config& next, caf::actor_system& system)>;

// The logic without its ingress: each link's sender, the metrics file, each
// enabled application's actors (in `spec`), and the frame path they register
// on. `etherbeam replay` feeds it frames itself; root_supervisor_spec adds
// each link's ingress.
struct logic_tree {
  supervision::supervisor_spec spec;
  std::shared_ptr<const actors::dispatcher> dispatch;
  std::shared_ptr<actors::link_directory> directory;
  std::vector<std::shared_ptr<actors::link_counters>> per_link; // served_links() order
};
logic_tree logic_supervisor_spec(caf::actor_system& system, const server_config& config,
                                 std::shared_ptr<actors::stack_counters> counters,
                                 std::vector<reloader>* reloaders = nullptr,
                                 std::vector<actors::control_command>* commands = nullptr);

// What link `i`'s ingress is given (its socket aside), which replay's intake is given too.
actors::ingress_settings ingress_settings_for(const server_config& config, const std::vector<link_config>& links,
                                             actors::link_index i, const logic_tree& tree,
                                             std::shared_ptr<actors::stack_counters> counters,
                                             std::shared_ptr<actors::reassembly_counters> reassembly);

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
