#include "apps/dhcp/dhcp_command_line.hpp"

#include <iostream>

#include <CLI/CLI.hpp>

#include "actors/control_channel.hpp"
#include "apps/dhcp/dhcp_config_file.hpp"
#include "apps/dhcp/lease_api.hpp"
#include "apps/dhcp/lease_journal.hpp"
#include "apps/dhcp/lease_listing.hpp"
#include "apps/dhcp/lease_manager.hpp"
#include "apps/dhcp/state_directory.hpp"

namespace etherbeam::apps::dhcp {

namespace {

int list_leases(const std::filesystem::path& state_dir, listing_options options) {
  auto path = lease_journal_path(state_dir);
  if (!std::filesystem::exists(path)) {
    std::cerr << "etherbeam leases: no lease journal at " << path.string()
              << "; give the server's --state-dir (or --config)\n";
    return 1;
  }
  lease_table table;
  journal_replay report;
  try {
    lease_journal::replay(path, table, report);
  } catch (const journal_error& e) {
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
  std::cout << render_leases(table, now, options);
  return 0;
}

// A running server answers from its live table; without one, the journal.
int show_leases(const server::server_config& config, listing_options options) {
  std::string command = std::string("leases") + (options.json ? " json" : "") + (options.include_inactive ? " all" : "");
  try {
    auto reply = actors::control_request(config.socket_dir, command);
    if (!reply.starts_with("error:")) {
      std::cout << reply;
      return 0;
    }
    std::cerr << "etherbeam leases: " << reply << "; reading the journal instead\n";
  } catch (const std::exception&) {
    // No server at this socket directory: what is on record is the answer.
  }
  return list_leases(config.dhcp.state_dir, options);
}

int watch_leases(const server::server_config& config) {
  try {
    bool first = true;
    actors::control_stream(config.socket_dir, "watch", [&](std::string_view message) {
      if (first) { // the server's acknowledgement, or why not
        first = false;
        if (message.find("\"result\": 0") == std::string_view::npos) {
          std::cerr << "etherbeam watch: " << message << "\n";
          return false;
        }
        std::cerr << "etherbeam watch: watching lease events (Ctrl-C to stop)" << std::endl;
        return true;
      }
      std::cout << message << std::endl; // a line per event, flushed for pipes
      return true;
    });
    std::cerr << "etherbeam watch: the server closed the connection (stopped or restarting)\n";
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "etherbeam watch: " << e.what() << "\n";
    return 1;
  }
}

// Kea's result codes as exit statuses: 0 done, 1 refused, 3 nothing found.
int lease_api_call(const server::server_config& config, const std::string& command, const std::string& arguments) {
  try {
    auto reply = actors::control_request(config.socket_dir, command + " " + arguments, std::chrono::seconds(15));
    std::cout << reply << "\n";
    if (reply.starts_with("error:")) return 1;
    for (int code : {0, 1, 3})
      if (reply.find("\"result\":" + std::to_string(code)) != std::string::npos) return code;
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "etherbeam " << command << ": " << e.what() << "\n";
    return 1;
  }
}

struct dhcp_options {
  std::vector<std::string> pools;
  std::string state_dir;
  listing_options listing;
  CLI::App* leases = nullptr;
  CLI::App* watch = nullptr;
  std::vector<std::pair<CLI::App*, std::string>> api; // subcommand, its JSON arguments
};

} // namespace

server::command_line_part dhcp_command_line(CLI::App& app) {
  auto o = std::make_shared<dhcp_options>();
  app.add_option("--dhcp-pool", o->pools,
                 "Serve DHCP from this range, e.g. 10.0.0.100-10.0.0.199, on the subnet of the --ip "
                 "holding it (repeatable; routers, DNS, reservations: [dhcp] in the config file)");
  app.add_option("--state-dir", o->state_dir, "Directory of the DHCP lease journal [default: /var/lib/etherbeam]");
  o->leases = app.add_subcommand(
    "leases", "List the DHCP leases: the running server's (at --socket-dir), else those on record in the journal");
  o->leases->fallthrough(); // --state-dir and --config may follow the subcommand
  o->leases->add_flag("--json", o->listing.json, "JSON instead of a table");
  o->leases->add_flag("--all", o->listing.include_inactive, "Include expired, released and declined leases");
  o->watch = app.add_subcommand("watch", "Print the running server's lease events (acked, renewed, released, "
                                         "declined, expired, deleted) as JSON lines as they happen");
  o->watch->fallthrough();
  o->api.reserve(lease_api_commands().size());
  for (const auto& name : lease_api_commands()) {
    o->api.emplace_back(app.add_subcommand(name, "The lease API, as Kea's " + name + ": JSON arguments in, JSON out "
                                                 "(see the README)"),
                        std::string{});
    o->api.back().first->fallthrough();
    o->api.back().first->add_option("arguments", o->api.back().second,
                                    "A JSON object, e.g. '{\"ip-address\": \"10.0.0.5\"}'");
  }
  return {
    [o](server::server_config& config) {
      if (!o->state_dir.empty()) config.dhcp.state_dir = o->state_dir;
      if (o->leases->parsed() || o->watch->parsed()) return; // no pools needed
      for (auto& [sub, arguments] : o->api)
        if (sub->parsed()) return;
      for (auto& p : o->pools)
        add_pool(config.dhcp, parse_range(p, "--dhcp-pool"), server::owned_addresses(config), "--dhcp-pool");
    },
    [o](const server::server_config& config) -> std::optional<int> {
      if (o->leases->parsed()) return show_leases(config, o->listing);
      if (o->watch->parsed()) return watch_leases(config);
      for (auto& [sub, arguments] : o->api)
        if (sub->parsed()) return lease_api_call(config, sub->get_name(), arguments);
      return std::nullopt;
    },
  };
}

void hand_over_state(const server::server_config& config, uid_t uid, gid_t gid) {
  if (!config.dhcp.enabled()) return;
  try {
    hand_state_directory_to(config.dhcp.state_dir, uid, gid);
  } catch (const state_directory_error& e) {
    throw server::config_error(e.what());
  }
}

std::shared_ptr<void> hold_state(const server::server_config& config) {
  if (!config.dhcp.enabled()) return nullptr;
  try {
    return std::make_shared<state_directory_lock>(state_directory_lock::take(config.dhcp.state_dir));
  } catch (const state_directory_error& e) {
    throw server::config_error(e.what()); // a configuration to fix, not a failure to restart
  }
}

} // namespace etherbeam::apps::dhcp
