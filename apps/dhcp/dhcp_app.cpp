// The DHCP server in etherbeam's catalog: on whenever a subnet is configured.
// Its intake decides in the frame's actor (parse, admission) and hands each
// message to the lease manager, which decides, persists and passes replies
// to the DHCP actor to frame and send.
#include <caf/actor_cast.hpp>
#include <caf/actor_registry.hpp>
#include <caf/actor_system.hpp>
#include <caf/send.hpp>
#include <spdlog/spdlog.h>

#include "actors/tell.hpp"
#include "apps/dhcp/dhcp_actor.hpp"
#include "apps/dhcp/dhcp_command_line.hpp"
#include "apps/dhcp/dhcp_control.hpp"
#include "apps/dhcp/dhcp_intake.hpp"
#include "apps/dhcp/lease_manager.hpp"
#include "server/applications.hpp"

namespace etherbeam::apps::dhcp {

namespace {

std::optional<server::running_application> start(const server::application_start& start) {
  const auto& config = start.config;
  if (!config.dhcp.enabled()) return std::nullopt;
  std::vector<protocols::ipv4_interface> networks;
  for (const auto& s : config.dhcp.subnets) networks.push_back(s.network);
  auto counters = std::make_shared<dhcp_counters>(start.counters, networks);
  auto backlog = std::make_shared<actors::admission_gate>(config.limits.dhcp_backlog, counters->overload_dropped);
  auto* system = &start.system;
  auto intake = std::make_shared<dhcp_intake>(
    counters, backlog, [system](dhcp_inbound&& message, caf::execution_unit* here) {
      auto leases = caf::actor_cast<lease_manager_actor>(system->registry().get(lease_manager_registry_name));
      if (!leases) return false;
      actors::tell(here, leases, dhcp_message_atom::value, std::move(message));
      return true;
    });
  server::running_application app;
  app.registrations.push_back(
    {"dhcp", actors::frame_match::udp(protocols::dhcp_server_port, true), std::move(intake)});
  // The DHCP actor before the lease manager, which passes it replies.
  app.children.push_back({"dhcp", [counters](caf::actor_system& sys) {
                            return caf::actor_cast<caf::actor>(spawn_dhcp_actor(sys, counters));
                          }});
  lease_manager_settings leases{config.dhcp, server::owned_addresses(config), counters, backlog};
  leases.own_threads = !config.deterministic;
  app.children.push_back({"lease_manager", [leases](caf::actor_system& sys) {
                            return caf::actor_cast<caf::actor>(spawn_lease_manager(sys, leases));
                          }});
  app.commands = dhcp_control_commands();
  app.reload = [running = config.dhcp.state_dir](const server::server_config& next, caf::actor_system& sys) {
    if (!next.dhcp.enabled() || next.dhcp.state_dir != running) {
      spdlog::warn("SIGHUP: turning DHCP off, or moving its state directory, needs a restart; "
                   "DHCP configuration not reloaded");
      return;
    }
    auto leases = caf::actor_cast<lease_manager_actor>(sys.registry().get(lease_manager_registry_name));
    if (!leases) {
      spdlog::error("SIGHUP: the lease manager is restarting; send SIGHUP again");
      return;
    }
    caf::anon_send(leases, reload_atom::value, next.dhcp);
  };
  return app;
}

const bool added = server::add_application({
  "dhcp",
  "serve DHCPv4 from the configured subnets ([dhcp] in the config file, --dhcp-pool)",
  true,
  start,
  dhcp_command_line,
  hand_over_state,
  hold_state,
});

} // namespace

} // namespace etherbeam::apps::dhcp
