// etherbeam: the unprivileged logic server. Frames arrive from raw_binder on a
// UNIX datagram socket per link; a supervision tree of CAF actors answers them.
#include <unistd.h>

#include <atomic>
#include <csignal>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/exit_reason.hpp>
#include <caf/send.hpp>
#include <spdlog/spdlog.h>

#include "actors/control_channel.hpp"
#include "daemon/actor_runtime.hpp"
#include "daemon/daemon_process.hpp"
#include "daemon/process_signals.hpp"
#include "ipc/socket_pair.hpp"
#include "server/command_line.hpp"
#include "server/server_files.hpp"
#include "server/supervision_tree.hpp"
#include "supervision/supervisor.hpp"

using namespace etherbeam;

namespace {

// Set when the root supervisor exits on its own, i.e. it gave up.
std::atomic<bool> root_gave_up{false};

// SIGHUP: reads the command line and the configuration file again, as at
// start. Each running application takes what is its to reload (DHCP: subnets,
// pools, reservations, options, holds, leases kept); an invalid configuration
// changes nothing.
void reload(int argc, char** argv, const server::server_config& running, caf::actor_system& system,
            const std::vector<server::reloader>& reloaders) {
  std::string error;
  auto next = server::read_command(argc, argv, &error);
  if (next.exit_code >= 0) {
    spdlog::error("SIGHUP: configuration not reloaded, the running one stays: {}", error);
    return;
  }
  if (server::owned_addresses(next.config) != server::owned_addresses(running) ||
      next.config.socket_dir != running.socket_dir || next.config.links.size() != running.links.size())
    spdlog::warn("SIGHUP: links, owned addresses and socket directories change only at a restart");
  if (reloaders.empty()) spdlog::info("SIGHUP: no running application reloads its configuration");
  for (const auto& reload_one : reloaders) reload_one(next.config, system);
}

void log_links(const server::server_config& config) {
  for (const auto& link : server::served_links(config)) {
    std::string owned;
    for (auto& a : link.identity.addresses) owned += " " + a.to_string();
    auto frames = ipc::socket_paths{link.socket_dir, link.frames_socket, link.replies_socket}.logic_server();
    spdlog::info("serving{} via {} (link {}, mac {}; model {})", owned, frames.parent_path().string(), link.name,
                 link.identity.mac ? link.identity.mac->to_string() : "learned from raw_binder",
                 actors::to_string(config.model));
  }
}

int serve(int argc, char** argv, const server::server_config& config) {
  daemon::start_logging("etherbeam", config.log_level);
  auto signals = daemon::block_daemon_signals();
  server::server_files files;
  try {
    server::open_files_and_drop_privileges(config, files);
    server::hold_application_state(config, files);
  } catch (const server::config_error& e) {
    spdlog::error("{}", e.what());
    return 2; // a configuration to fix, not a failure to restart
  } catch (const std::exception& e) {
    spdlog::error("{}", e.what());
    return 1;
  }
  std::vector<int> ingress_sockets;
  for (auto& f : files.frames) ingress_sockets.push_back(f.socket.get());

  caf::actor_system_config cfg;
  daemon::configure_actor_runtime(cfg, config.scheduler_threads);
  cfg.add_error_category(supervision::supervision_error_category, supervision::render_supervision_error);
  caf::actor_system system{cfg};
  auto counters = std::make_shared<actors::stack_counters>();
  std::vector<server::reloader> reloaders;
  std::vector<actors::control_command> commands;
  supervision::supervisor_spec spec;
  try {
    spec = server::root_supervisor_spec(system, config, ingress_sockets, counters, &reloaders, &commands);
  } catch (const std::exception& e) { // a configuration an application refuses, or two claiming one port
    spdlog::error("{}", e.what());
    return 2;
  }
  std::vector<std::string> children;
  for (auto& c : spec.children) children.push_back(c.id);
  auto root = supervision::spawn_supervisor(system, std::move(spec));
  auto control = actors::spawn_control(
    system, {files.control_socket.get(), root, children, config.allow_fault_injection, counters, std::move(commands)});
  root->attach_functor([](const caf::error& reason) {
    if (reason == caf::exit_reason::user_shutdown) return;
    root_gave_up = true;
    ::kill(::getpid(), SIGTERM); // wakes the main thread's signal wait
  });
  log_links(config);

  daemon::serve_signals(signals,
                        {[&] { return counters->render(); },
                         [&] { reload(argc, argv, config, system, reloaders); }},
                        [] { return root_gave_up.load(); });
  caf::anon_send_exit(root, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(control, caf::exit_reason::user_shutdown);
  system.await_all_actors_done();
  spdlog::info("counters: {}", counters->render());
  if (root_gave_up) {
    spdlog::critical("the root supervisor gave up (restart intensity exceeded); exiting with "
                     "status 1 so that the service manager can restart etherbeam");
    return 1;
  }
  return 0;
}

} // namespace

int main(int argc, char** argv) {
  auto command = server::read_command(argc, argv);
  if (command.exit_code >= 0) return command.exit_code;
  return serve(argc, argv, command.config);
}
