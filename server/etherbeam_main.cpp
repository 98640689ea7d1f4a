// etherbeam: the unprivileged logic server. Frames arrive from raw_binder on a
// UNIX datagram socket; a supervision tree of CAF actors answers them.
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <iostream>

#include <CLI/CLI.hpp>
#include <caf/actor_registry.hpp>
#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/exit_reason.hpp>
#include <caf/send.hpp>
#include <spdlog/spdlog.h>
#include <systemd/sd-daemon.h>

#include "actors/actor_runtime.hpp"
#include "actors/control_channel.hpp"
#include "apps/dhcp/dhcp_config_file.hpp"
#include "apps/dhcp/lease_journal.hpp"
#include "apps/dhcp/lease_listing.hpp"
#include "apps/dhcp/lease_manager.hpp"
#include "server/applications.hpp"
#include "server/server_config.hpp"
#include "apps/dhcp/state_directory.hpp"
#include "server/supervision_tree.hpp"
#include "ipc/process_identity.hpp"
#include "ipc/process_signals.hpp"
#include "ipc/sender_credentials.hpp"
#include "ipc/socket_directory.hpp"
#include "ipc/socket_pair.hpp"
#include "supervision/supervisor.hpp"

using namespace etherbeam;

namespace {

// Set when the root supervisor exits on its own, i.e. it gave up.
std::atomic<bool> root_gave_up{false};

// A link's socket that frames arrive on, in the directory it was bound in.
struct frames_socket {
  std::unique_ptr<ipc::socket_directory> directory;
  std::string name;
  ipc::unique_fd socket;
};

// What the process holds once it runs as its own user: each link's frames
// socket, the control socket, and the state directory's lock.
struct server_files {
  std::vector<frames_socket> frames; // in served_links() order
  std::unique_ptr<ipc::socket_directory> control_directory;
  ipc::unique_fd control_socket;
  std::optional<apps::dhcp::state_directory_lock> state_lock;

  ~server_files() {
    for (auto& f : frames)
      if (f.socket) f.directory->remove(f.name);
    if (control_socket) control_directory->remove(actors::control_socket_name);
  }
};

// Binds the sockets and, started as root with --user, hands them and the
// state directory to that user and becomes it: before any thread starts.
// Every file is made or changed through a descriptor (see socket_directory),
// so nothing the user planted meanwhile can turn root's work elsewhere.
void open_files_and_drop_privileges(const server::server_config& config, server_files& files) {
  std::optional<gid_t> group;
  if (!config.socket_group.empty()) group = ipc::group_id(config.socket_group);
  std::optional<ipc::user_identity> user;
  if (!config.user.empty()) {
    if (::geteuid() == 0) user = ipc::unprivileged_user(config.user);
    else spdlog::warn("--user {}: not started as root, so staying the user it was started as", config.user);
  }
  if (user && config.dhcp.enabled()) apps::dhcp::hand_state_directory_to(config.dhcp.state_dir, user->uid, user->gid);
  std::optional<uid_t> owner;
  if (user) owner = user->uid;
  for (const auto& link : server::served_links(config)) {
    auto path = ipc::socket_paths{link.socket_dir, link.frames_socket, link.replies_socket}.logic_server();
    auto& f = files.frames.emplace_back();
    f.directory = std::make_unique<ipc::socket_directory>(ipc::socket_directory::open(path.parent_path(), group));
    f.name = path.filename();
    f.socket = f.directory->bind_socket(f.name, SOCK_DGRAM, {group, owner}, 4 << 20);
    ipc::pass_credentials(f.socket.get());
  }
  files.control_directory =
    std::make_unique<ipc::socket_directory>(ipc::socket_directory::open(config.socket_dir, group));
  files.control_socket = actors::bind_control_socket(*files.control_directory, owner);
  if (!user) return;
  ipc::become_user(config.user, *user, group);
  spdlog::info("running as {} (uid {}), without capabilities", config.user, ::getuid());
}

server::server_config configure(int argc, char** argv, int& exit_code, std::string* error = nullptr);

// SIGHUP: reads the configuration again, as at start (file, then command
// line). The DHCP part (subnets, pools, reservations, options, holds) takes
// effect at once, leases kept; an invalid configuration changes nothing.
void reload(int argc, char** argv, const server::server_config& running, caf::actor_system& system,
            const std::vector<server::reloader>& reloaders) {
  int exit_code = -1;
  std::string error;
  auto next = configure(argc, argv, exit_code, &error);
  if (exit_code >= 0) {
    spdlog::error("SIGHUP: configuration not reloaded, the running one stays: {}", error);
    return;
  }
  if (next.dhcp.enabled() != running.dhcp.enabled() || next.dhcp.state_dir != running.dhcp.state_dir) {
    spdlog::warn("SIGHUP: turning DHCP on or off, or moving its state directory, needs a restart; "
                 "configuration not reloaded");
    return;
  }
  if (server::owned_addresses(next) != server::owned_addresses(running) || next.socket_dir != running.socket_dir ||
      next.links.size() != running.links.size())
    spdlog::warn("SIGHUP: links, owned addresses and socket directories change only at a restart");
  if (reloaders.empty()) {
    spdlog::info("SIGHUP: no running application reloads its configuration");
    return;
  }
  for (const auto& reload_one : reloaders) reload_one(next, system);
}

// `etherbeam counters` and `etherbeam fault CHILD`: one command to the
// running server's control socket.
int control_command(const std::filesystem::path& socket_dir, const std::string& command) {
  try {
    auto reply = actors::control_request(socket_dir, command);
    bool failed = reply.starts_with("error: ");
    (failed ? std::cerr : std::cout) << (failed ? "etherbeam: " + reply.substr(7) : reply) << "\n";
    return failed ? 1 : 0;
  } catch (const std::exception& e) {
    std::cerr << "etherbeam: " << e.what() << "\n";
    return 1;
  }
}

int list_leases(const std::filesystem::path& state_dir, apps::dhcp::listing_options options) {
  auto path = apps::dhcp::lease_journal_path(state_dir);
  if (!std::filesystem::exists(path)) {
    std::cerr << "etherbeam leases: no lease journal at " << path.string()
              << "; give the server's --state-dir (or --config)\n";
    return 1;
  }
  apps::dhcp::lease_table table;
  apps::dhcp::journal_replay report;
  try {
    apps::dhcp::lease_journal::replay(path, table, report);
  } catch (const apps::dhcp::journal_error& e) {
    std::cerr << "etherbeam leases: " << e.what() << "; run it as root or as the server's user\n";
    return 1;
  }
  for (auto& w : report.warnings) std::cerr << "etherbeam leases: " << w << "\n";
  if (report.records == 0 && report.skipped > 0) {
    std::cerr << "etherbeam leases: not one record of " << path.string()
              << " could be read; is it a lease journal?\n";
    return 1;
  }
  auto now = std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch()).count();
  std::cout << apps::dhcp::render_leases(table, now, options);
  return 0;
}

// With `error` given (a reload), a configuration error is reported there
// instead of on stderr.
server::server_config configure(int argc, char** argv, int& exit_code, std::string* error) {
  server::server_config config;
  config.socket_dir = ipc::default_socket_dir;
  std::string config_file, mac, socket_dir, log_level, frames_socket, replies_socket;
  std::vector<std::string> ips;
  bool broadcast_ping = false, allow_faults = false;
  std::string fault_child;
  std::size_t threads = 0, workers = 0;
  std::string model;
  int io_batch = 0;
  std::vector<std::string> pools;
  std::string state_dir, user, socket_group, binder_user;
  std::vector<std::string> enable_apps, disable_apps;
  apps::dhcp::listing_options listing;

  CLI::App app{"etherbeam: a user-space packet-logic server. Answers ARP and ICMP echo for the "
               "addresses it owns, and serves DHCPv4, on the interface raw_binder serves."};
  app.add_option("-s,--socket-dir", socket_dir,
                 std::string("Directory holding the socket pair shared with raw_binder [default: ") +
                   ipc::default_socket_dir + "]");
  app.add_option("--frames-socket", frames_socket,
                 "Where etherbeam receives frames, one by one instead of SOCKET_DIR/raw_to_beam.sock "
                 "(e.g. the design note's /tmp/raw_to_gleam.sock)");
  app.add_option("--replies-socket", replies_socket,
                 "raw_binder's socket, where replies go, instead of SOCKET_DIR/beam_to_raw.sock "
                 "(e.g. the design note's /tmp/gleam_to_raw.sock)");
  app.add_option("--ip", ips, "An address to own, as ADDR/PREFIX (repeatable), e.g. 10.0.0.2/24");
  app.add_option("--mac", mac, "MAC to answer with [default: the interface's own, as raw_binder reports it]");
  app.add_option("-c,--config", config_file, "TOML config file; command-line options override it")
    ->check(CLI::ExistingFile);
  app.add_flag("--answer-broadcast-ping", broadcast_ping,
               "Answer echo requests sent to a broadcast address [default: off]");
  app.add_option("--log-level", log_level, "trace, debug, info, warn, error or off [default: info]");
  app.add_option("--threads", threads, "Scheduler threads for actors [default: one per core]");
  app.add_option("--model", model,
                 "How frames are decided: per-frame (an actor per frame), per-protocol (a pool of "
                 "long-lived workers) or inline (in the ingress actor) [default: per-frame]")
    ->check(CLI::IsMember({"per-frame", "per-protocol", "inline"}));
  app.add_option("--workers", workers, "per-protocol: workers in the pool [default: one per scheduler thread]")
    ->check(CLI::Range(1, 4096));
  app.add_option("--io-batch", io_batch, "Datagrams read per wake-up of ingress [default: 64]")
    ->check(CLI::Range(1, 4096));
  app.add_option("--dhcp-pool", pools,
                 "Serve DHCP from this range, e.g. 10.0.0.100-10.0.0.199, on the subnet of the --ip "
                 "holding it (repeatable; routers, DNS, reservations: [dhcp] in the config file)");
  app.add_option("--state-dir", state_dir, "Directory of the DHCP lease journal [default: /var/lib/etherbeam]");
  app.add_option("--user", user,
                 "Started as root, switch to this user (no capabilities) once the socket is bound, "
                 "e.g. nobody [default: stay as started]");
  app.add_option("--socket-group", socket_group,
                 "Give etherbeam's socket to this group (mode 0660) so that a raw_binder running "
                 "as another user can send to it; use the same group for both daemons");
  app.add_option("--binder-user", binder_user,
                 "raw_binder's user, when it runs as neither root nor etherbeam's user: with those two, "
                 "the only sender whose frames are taken (others are refused, counted and logged)");
  std::string app_list;
  for (const auto* a : server::applications())
    app_list += "\n  " + a->name + (a->on_by_default ? " (on by default): " : ": ") + a->summary;
  app.add_option("--app", enable_apps, "Run this application too (repeatable); compiled in:" + app_list);
  app.add_option("--no-app", disable_apps, "Do not run this application, though on by default (repeatable)");
  app.add_flag("--allow-fault-injection", allow_faults,
               "Let `etherbeam fault CHILD` make a long-lived actor fail on purpose [default: off]");
  auto* counters = app.add_subcommand("counters", "Print a running etherbeam's counters");
  counters->fallthrough(); // --socket-dir may follow the subcommand
  auto* fault = app.add_subcommand(
    "fault", "Make a long-lived actor of a running etherbeam fail, to watch its supervisor restart "
             "it (the server must run with --allow-fault-injection)");
  fault->fallthrough();
  fault->add_option("child", fault_child, "sender, dhcp, lease_manager or ingress")->required();
  auto* leases = app.add_subcommand(
    "leases", "List the DHCP leases on record (reads the journal; safe while etherbeam runs)");
  leases->fallthrough(); // --state-dir and --config may follow the subcommand
  leases->add_flag("--json", listing.json, "JSON instead of a table");
  leases->add_flag("--all", listing.include_inactive, "Include expired, released and declined leases");
  try {
    app.parse(argc, argv);
    if (!config_file.empty()) server::load_config_file(config_file, config);
    if (!socket_dir.empty()) config.socket_dir = socket_dir;
    if (!frames_socket.empty()) config.frames_socket = frames_socket;
    if (!replies_socket.empty()) config.replies_socket = replies_socket;
    if (!ips.empty()) {
      config.identity.addresses.clear();
      for (auto& ip : ips) config.identity.addresses.push_back(server::parse_owned_address(ip, "--ip"));
    }
    if (!mac.empty()) config.identity.mac = server::parse_mac(mac, "--mac");
    if (broadcast_ping) config.identity.answer_broadcast_ping = true;
    if (!log_level.empty()) config.log_level = log_level;
    if (threads) config.scheduler_threads = threads;
    if (!model.empty()) config.model = *actors::parse_concurrency_model(model);
    if (workers) config.workers = workers;
    if (io_batch) config.io_batch = io_batch;
    if (!state_dir.empty()) config.dhcp.state_dir = state_dir;
    if (!user.empty()) config.user = user;
    if (!socket_group.empty()) config.socket_group = socket_group;
    if (!binder_user.empty()) config.binder_user = binder_user;
    if (allow_faults) config.allow_fault_injection = true;
    for (auto& a : enable_apps) config.enabled_apps.push_back(a);
    for (auto& a : disable_apps) config.disabled_apps.push_back(a);
    if (counters->parsed()) {
      exit_code = control_command(config.socket_dir, "counters");
      return config;
    }
    if (fault->parsed()) {
      exit_code = control_command(config.socket_dir, "fault " + fault_child);
      return config;
    }
    if (leases->parsed()) {
      exit_code = list_leases(config.dhcp.state_dir, listing);
      return config;
    }
    for (auto& p : pools)
      apps::dhcp::add_pool(config.dhcp, apps::dhcp::parse_range(p, "--dhcp-pool"), server::owned_addresses(config),
                           "--dhcp-pool");
    server::validate(config);
    server::validate_application_names(config);
    if (!config.binder_user.empty()) {
      try {
        ipc::user_id(config.binder_user);
      } catch (const std::runtime_error& e) {
        throw server::config_error(std::string("--binder-user: ") + e.what());
      }
    }
  } catch (const CLI::ParseError& e) {
    if (error) { // a reload: the reason goes to the log, e.g. a config file that is gone
      *error = e.what();
      exit_code = 2;
    } else {
      exit_code = app.exit(e);
    }
  } catch (const server::config_error& e) {
    if (error) *error = e.what();
    else std::cerr << "etherbeam: " << e.what() << "\n";
    exit_code = 2;
  }
  return config;
}

} // namespace

int main(int argc, char** argv) {
  int exit_code = -1;
  auto config = configure(argc, argv, exit_code);
  if (exit_code >= 0) return exit_code;

  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e etherbeam[%P] %l: %v");
  spdlog::set_level(spdlog::level::from_str(config.log_level));
  auto signals = ipc::block_daemon_signals();

  server_files files;
  try {
    open_files_and_drop_privileges(config, files);
  } catch (const apps::dhcp::state_directory_error& e) {
    spdlog::error("{}", e.what());
    return 2;
  } catch (const std::exception& e) {
    spdlog::error("{}", e.what());
    return 1;
  }
  if (config.dhcp.enabled()) {
    try {
      files.state_lock = apps::dhcp::state_directory_lock::take(config.dhcp.state_dir);
    } catch (const apps::dhcp::state_directory_error& e) {
      spdlog::error("{}", e.what());
      return 2; // a configuration to fix, not a failure to restart
    }
  }
  auto& control_socket = files.control_socket;
  std::vector<int> ingress_sockets;
  for (auto& f : files.frames) ingress_sockets.push_back(f.socket.get());

  caf::actor_system_config cfg;
  actors::configure_actor_runtime(cfg, config.scheduler_threads);
  cfg.add_error_category(supervision::supervision_error_category,
                         supervision::render_supervision_error);
  caf::actor_system system{cfg};
  auto counters = std::make_shared<actors::stack_counters>();
  std::vector<server::reloader> reloaders;
  supervision::supervisor_spec spec;
  try {
    spec = server::root_supervisor_spec(system, config, ingress_sockets, counters, &reloaders);
  } catch (const std::exception& e) { // a configuration an application refuses, or two claiming one port
    spdlog::error("{}", e.what());
    return 2;
  }
  std::vector<std::string> children;
  for (auto& c : spec.children) children.push_back(c.id);
  auto root = supervision::spawn_supervisor(system, std::move(spec));
  auto control = actors::spawn_control(
    system, {control_socket.get(), root, children, config.allow_fault_injection, counters});
  root->attach_functor([](const caf::error& reason) {
    if (reason == caf::exit_reason::user_shutdown) return;
    root_gave_up = true;
    ::kill(::getpid(), SIGTERM); // wakes the main thread's signal wait
  });

  for (const auto& link : server::served_links(config)) {
    std::string owned;
    for (auto& a : link.identity.addresses) owned += " " + a.to_string();
    auto frames = ipc::socket_paths{link.socket_dir, link.frames_socket, link.replies_socket}.logic_server();
    spdlog::info("serving{} via {} (link {}, mac {}; model {})", owned, frames.parent_path().string(), link.name,
                 link.identity.mac ? link.identity.mac->to_string() : "learned from raw_binder",
                 actors::to_string(config.model));
  }
  sd_notify(0, "READY=1");

  for (;;) {
    int s = ipc::wait_for_signal(signals);
    if (s == SIGUSR1) {
      spdlog::info("counters: {}", counters->render());
      continue;
    }
    if (s == SIGHUP) {
      reload(argc, argv, config, system, reloaders);
      continue;
    }
    if (!root_gave_up) spdlog::info("{}: shutting down", strsignal(s));
    break;
  }
  sd_notify(0, "STOPPING=1");
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
