#include "actors/supervision_tree.hpp"

#include <algorithm>
#include <thread>

#include <caf/actor_cast.hpp>

#include "actors/dhcp_actor.hpp"
#include "actors/ingress.hpp"
#include "actors/lease_manager.hpp"
#include "actors/sender.hpp"
#include "ipc/process_identity.hpp"
#include "ipc/socket_pair.hpp"

namespace etherbeam::actors {

supervision::supervisor_spec root_supervisor_spec(const server_config& config, int ingress_socket,
                                                  std::shared_ptr<stack_counters> counters) {
  ipc::socket_paths paths{config.socket_dir, config.frames_socket, config.replies_socket};
  auto binder = paths.binder();
  supervision::supervisor_spec spec;
  spec.name = "root";
  spec.restart_strategy = supervision::strategy::one_for_one;
  spec.intensity = config.restart_intensity;
  spec.on_restart = [counters](const std::string&, const caf::error&) { ++counters->actor_restarts; };
  spec.children.push_back({"sender", [binder, counters](caf::actor_system& sys) {
                             return caf::actor_cast<caf::actor>(spawn_sender(sys, binder, counters));
                           }});
  // Before ingress, which hands it DHCP messages.
  if (config.dhcp.enabled()) {
    spec.children.push_back({"dhcp", [counters](caf::actor_system& sys) {
                               return caf::actor_cast<caf::actor>(spawn_dhcp_actor(sys, counters));
                             }});
    lease_manager_settings leases{config.dhcp, config.identity.addresses, counters};
    spec.children.push_back({"lease_manager", [leases](caf::actor_system& sys) {
                               return caf::actor_cast<caf::actor>(spawn_lease_manager(sys, leases));
                             }});
  }
  ingress_settings ingress;
  ingress.socket = ingress_socket;
  ingress.identity = config.identity;
  ingress.link_file = paths.link_file();
  ingress.counters = counters;
  ingress.serve_dhcp = config.dhcp.enabled();
  ingress.limits = config.limits;
  ingress.model = config.model;
  ingress.workers = config.workers ? config.workers
                                   : (config.scheduler_threads ? config.scheduler_threads
                                                               : std::max(1u, std::thread::hardware_concurrency()));
  ingress.io_batch = config.io_batch;
  if (!config.binder_user.empty()) ingress.binder_user = ipc::user_id(config.binder_user);
  spec.children.push_back(
    {"ingress", [ingress](caf::actor_system& sys) { return spawn_ingress(sys, ingress); }});
  return spec;
}

} // namespace etherbeam::actors
