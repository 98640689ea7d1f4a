#include "server/command_line.hpp"
#include "server/replay.hpp"

#include <iostream>

#include <CLI/CLI.hpp>

#include "actors/control_channel.hpp"
#include "ipc/process_identity.hpp"
#include "ipc/socket_pair.hpp"
#include "server/applications.hpp"

namespace etherbeam::server {

int control_command(const std::filesystem::path& socket_dir, const std::string& command,
                    std::chrono::milliseconds timeout) {
  try {
    auto reply = actors::control_request(socket_dir, command, timeout);
    bool failed = reply.starts_with("error: ");
    if (failed) std::cerr << "etherbeam: " << reply.substr(7) << "\n";
    else std::cout << reply << (reply.ends_with("\n") ? "" : "\n");
    return failed ? 1 : 0;
  } catch (const std::exception& e) {
    std::cerr << "etherbeam: " << e.what() << "\n";
    return 1;
  }
}

// With `error` given (a reload), a configuration error is reported there
// instead of on stderr.
command read_command(int argc, char** argv, std::string* error) {
  command cmd;
  auto& config = cmd.config;
  auto& exit_code = cmd.exit_code;
  config.socket_dir = ipc::default_socket_dir;
  std::string config_file, mac, socket_dir, log_level, frames_socket, replies_socket;
  std::vector<std::string> ips;
  bool broadcast_ping = false, allow_faults = false;
  std::string fault_child;
  std::size_t threads = 0, workers = 0;
  std::string model;
  int io_batch = 0;
  int busy_poll_us = -1;
  std::int64_t mtu = 0;
  std::string metrics_file;
  std::string user, socket_group, binder_user;
  std::vector<std::string> enable_apps, disable_apps;

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
  app.add_option("--mtu", mtu,
                 "Largest IP packet the link carries; longer replies leave as fragments "
                 "[default: the interface's, as raw_binder reports it, else 1500]");
  app.add_option("-c,--config", config_file, "TOML config file; command-line options override it")
    ->check(CLI::ExistingFile);
  app.add_flag("--answer-broadcast-ping", broadcast_ping,
               "Answer echo requests sent to a broadcast address [default: off]");
  app.add_option("--log-level", log_level, "trace, debug, info, warn, error or off [default: info]");
  app.add_option("--threads", threads, "Scheduler threads for actors [default: one per core]");
  app.add_option("--model", model,
                 "How frames are decided: per-frame (an actor per frame), per-protocol (a pool of "
                 "long-lived workers) or inline (in the ingress actor) [default: inline]")
    ->check(CLI::IsMember({"per-frame", "per-protocol", "inline"}));
  app.add_option("--workers", workers, "per-protocol: workers in the pool [default: one per scheduler thread]")
    ->check(CLI::Range(1, 4096));
  app.add_option("--io-batch", io_batch, "Datagrams read per wake-up of ingress [default: 64]")
    ->check(CLI::Range(1, 4096));
  app.add_option("--busy-poll-us", busy_poll_us,
                 "After a batch, ingress keeps looking for frames this many microseconds before it "
                 "sleeps in poll: less latency while traffic flows, a core's spin per batch, nothing at "
                 "idle [default: 0, never]")
    ->check(CLI::Range(0, 1000));
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
  for (const auto* a : applications())
    app_list += "\n  " + a->name + (a->on_by_default ? " (on by default): " : ": ") + a->summary;
  app.add_option("--app", enable_apps, "Run this application too (repeatable); compiled in:" + app_list);
  app.add_option("--no-app", disable_apps, "Do not run this application, though on by default (repeatable)");
  app.add_flag("--allow-fault-injection", allow_faults,
               "Let `etherbeam fault CHILD` make a long-lived actor fail on purpose [default: off]");
  auto* counters = app.add_subcommand("counters", "Print a running etherbeam's counters");
  counters->fallthrough(); // --socket-dir may follow the subcommand
  auto* metrics = app.add_subcommand("metrics", "Print a running etherbeam's counters in the Prometheus text format");
  metrics->fallthrough();
  app.add_option("--metrics-file", metrics_file,
                 "Rewrite this file with the Prometheus metrics every 5 s, atomically (for node_exporter's "
                 "textfile collector: a *.prom file in its --collector.textfile.directory) [default: none]");
  auto* fault = app.add_subcommand(
    "fault", "Make a long-lived actor of a running etherbeam fail, to watch its supervisor restart "
             "it (the server must run with --allow-fault-injection)");
  fault->fallthrough();
  fault->add_option("child", fault_child, "a long-lived actor: sender, heap_trimmer, ingress, or an application's (dhcp, lease_manager…); a name that is not running lists those that are")->required();
  replay_options replaying;
  auto* replay_command = app.add_subcommand(
    "replay", "Feed a capture through etherbeam's logic, as configured by the other options, with no network; "
              "write what it would have sent as a pcap. The same capture and configuration give the same "
              "output. Frames from etherbeam's own MAC (its answers, in a capture of both directions) are "
              "skipped; the MAC is --mac, or the one the capture shows sending from an owned address");
  replay_command->fallthrough();
  replay_command->add_option("capture", replaying.input, "pcap or pcapng file to replay (- for stdin)")->required();
  replay_command->add_option("-w,--write", replaying.output, "Write what etherbeam sent here, as pcap (- for stdout)")
    ->required();
  replay_command->add_option("--link", replaying.link, "The served link the capture was taken on [default: the first]");
  replay_command->add_option("--state-dir", replaying.state_dir,
                             "DHCP state directory to start from and leave behind [default: a scratch one, "
                             "removed afterwards]");
  // Each application's own options and subcommands.
  std::vector<command_line_part> parts;
  for (const auto* entry : applications())
    if (entry->command_line) parts.push_back(entry->command_line(app));
  try {
    app.parse(argc, argv);
    if (!config_file.empty()) load_config_file(config_file, config);
    if (!socket_dir.empty()) config.socket_dir = socket_dir;
    if (!frames_socket.empty()) config.frames_socket = frames_socket;
    if (!replies_socket.empty()) config.replies_socket = replies_socket;
    if (!ips.empty()) {
      config.identity.addresses.clear();
      for (auto& ip : ips) config.identity.addresses.push_back(parse_owned_address(ip, "--ip"));
    }
    if (!mac.empty()) config.identity.mac = parse_mac(mac, "--mac");
    if (mtu) config.identity.mtu = parse_mtu(mtu, "--mtu");
    if (broadcast_ping) config.identity.answer_broadcast_ping = true;
    if (!log_level.empty()) config.log_level = log_level;
    if (threads) config.scheduler_threads = threads;
    if (!model.empty()) config.model = *actors::parse_concurrency_model(model);
    if (workers) config.workers = workers;
    if (io_batch) config.io_batch = io_batch;
    if (busy_poll_us >= 0) config.busy_poll_us = busy_poll_us;
    if (!user.empty()) config.user = user;
    if (!socket_group.empty()) config.socket_group = socket_group;
    if (!binder_user.empty()) config.binder_user = binder_user;
    if (allow_faults) config.allow_fault_injection = true;
    if (!metrics_file.empty()) config.metrics_file = metrics_file;
    for (auto& a : enable_apps) config.enabled_apps.push_back(a);
    for (auto& a : disable_apps) config.disabled_apps.push_back(a);
    for (auto& part : parts)
      if (part.apply) part.apply(config);
    if (counters->parsed()) {
      exit_code = control_command(config.socket_dir, "counters");
      return cmd;
    }
    if (metrics->parsed()) {
      exit_code = control_command(config.socket_dir, "metrics");
      return cmd;
    }
    if (fault->parsed()) {
      exit_code = control_command(config.socket_dir, "fault " + fault_child);
      return cmd;
    }
    for (auto& part : parts)
      if (auto status = part.run_subcommand ? part.run_subcommand(config) : std::nullopt) {
        exit_code = *status;
        return cmd;
      }
    validate(config);
    validate_application_names(config);
    if (replay_command->parsed()) {
      exit_code = replay(config, replaying, std::cerr);
      return cmd;
    }
    if (!config.binder_user.empty()) {
      try {
        ipc::user_id(config.binder_user);
      } catch (const std::runtime_error& e) {
        throw config_error(std::string("--binder-user: ") + e.what());
      }
    }
  } catch (const CLI::ParseError& e) {
    if (error) { // a reload: the reason goes to the log, e.g. a config file that is gone
      *error = e.what();
      exit_code = 2;
    } else {
      exit_code = app.exit(e);
    }
  } catch (const config_error& e) {
    if (error) *error = e.what();
    else std::cerr << "etherbeam: " << e.what() << "\n";
    exit_code = 2;
  }
  return cmd;
}


} // namespace etherbeam::server
