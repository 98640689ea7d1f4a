#pragma once
// The catalog of applications compiled into etherbeam. Each application's
// folder adds itself (add_application, from a static object in its own
// source), so adding one touches no file outside its folder. At start the
// server asks each enabled application for its registrations and its
// long-lived actors; the frame path then knows none by name.
#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <sys/types.h>
#include <string>
#include <vector>

#include "actors/control_channel.hpp"
#include "actors/link_directory.hpp"
#include "actors/registration.hpp"
#include "actors/reinjection.hpp"
#include "actors/stack_counters.hpp"
#include "server/server_config.hpp"
#include "supervision/supervisor.hpp"

namespace caf {
class actor_system;
}
namespace CLI {
class App;
}

namespace etherbeam::server {

// What an application is given when etherbeam starts it.
struct application_start {
  const server_config& config;
  caf::actor_system& system;
  std::shared_ptr<actors::stack_counters> counters;
  // Its [apps.NAME] table of the config file (empty when there is none).
  const toml::table& settings;
  // The links served, in link_index order, with who etherbeam is on each.
  std::shared_ptr<const actors::link_directory> links;
  // For a stage that decides in actors of its own: gives frames back to the frame path.
  std::shared_ptr<actors::frame_reinjection> reinjection;
};

// What a started application brings.
struct running_application {
  std::vector<actors::registration> registrations;
  // Its long-lived actors, started in this order before frames flow and
  // restarted by the root supervisor (one_for_one).
  std::vector<supervision::child_spec> children;
  // Its commands on the control socket.
  std::vector<actors::control_command> commands;
  // SIGHUP: the new configuration, already validated; empty: nothing to reload.
  std::function<void(const server_config& next, caf::actor_system& system)> reload;
};

// An application's own part of etherbeam's command line.
struct command_line_part {
  // After the config file is read: applies its options to `config`.
  std::function<void(server_config& config)> apply;
  // Its subcommand, when the user gave it: runs it, returns the exit status.
  std::function<std::optional<int>(const server_config& config)> run_subcommand;
};

struct application_entry {
  std::string name;    // as --app and [apps] enable name it
  std::string summary; // one line, for --help
  bool on_by_default = false;
  // nullopt: enabled, but configured to do nothing (DHCP without a subnet).
  // Throws config_error for a configuration to fix.
  std::function<std::optional<running_application>(const application_start&)> start;
  // Optional, all three. Options and subcommands of its own (added whether
  // it runs or not: the config file, read later, may enable it).
  std::function<command_line_part(CLI::App& app)> command_line;
  // Started as root with --user, before etherbeam becomes that user: hand it
  // what it needs (DHCP: its state directory), through descriptors.
  std::function<void(const server_config& config, uid_t uid, gid_t gid)> before_dropping_root;
  // Once etherbeam runs as its own user, before the actors start: what the
  // application holds while etherbeam serves (DHCP: the state directory's
  // lock). Throws config_error for something the user must fix (exit 2).
  std::function<std::shared_ptr<void>(const server_config& config)> hold;
};

// `etherbeam COMMAND` for a subcommand that asks the running etherbeam:
// sends `command` to its control socket, prints the reply (an error on
// stderr) and returns the exit status.
int control_command(const std::filesystem::path& socket_dir, const std::string& command,
                    std::chrono::milliseconds timeout = std::chrono::seconds(5));

// Called once per application, during static initialisation.
bool add_application(application_entry entry);
// Every compiled-in application, by name.
std::vector<const application_entry*> applications();
// Throws config_error for an application named in `config` that is not
// compiled in, listing those that are.
void validate_application_names(const server_config& config);
// Whether `config` runs it: on by default and not disabled, or enabled.
bool enabled(const application_entry& entry, const server_config& config);

} // namespace etherbeam::server
