#include "apps/dhcp/dhcp_command_line.hpp"

#include <iostream>

#include <CLI/CLI.hpp>

#include "apps/dhcp/dhcp_config_file.hpp"
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

struct dhcp_options {
  std::vector<std::string> pools;
  std::string state_dir;
  listing_options listing;
  CLI::App* leases = nullptr;
};

} // namespace

server::command_line_part dhcp_command_line(CLI::App& app) {
  auto o = std::make_shared<dhcp_options>();
  app.add_option("--dhcp-pool", o->pools,
                 "Serve DHCP from this range, e.g. 10.0.0.100-10.0.0.199, on the subnet of the --ip "
                 "holding it (repeatable; routers, DNS, reservations: [dhcp] in the config file)");
  app.add_option("--state-dir", o->state_dir, "Directory of the DHCP lease journal [default: /var/lib/etherbeam]");
  o->leases = app.add_subcommand(
    "leases", "List the DHCP leases on record (reads the journal; safe while etherbeam runs)");
  o->leases->fallthrough(); // --state-dir and --config may follow the subcommand
  o->leases->add_flag("--json", o->listing.json, "JSON instead of a table");
  o->leases->add_flag("--all", o->listing.include_inactive, "Include expired, released and declined leases");
  return {
    [o](server::server_config& config) {
      if (!o->state_dir.empty()) config.dhcp.state_dir = o->state_dir;
      if (o->leases->parsed()) return; // lists what is on record: no pools needed
      for (auto& p : o->pools)
        add_pool(config.dhcp, parse_range(p, "--dhcp-pool"), server::owned_addresses(config), "--dhcp-pool");
    },
    [o](const server::server_config& config) -> std::optional<int> {
      if (!o->leases->parsed()) return std::nullopt;
      return list_leases(config.dhcp.state_dir, o->listing);
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
