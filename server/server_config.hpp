#pragma once
// etherbeam's settings: a TOML file (--config) overridden by the command line.
#include <cstddef>
#include <filesystem>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "actors/concurrency_model.hpp"
#include "apps/dhcp/dhcp_settings.hpp"
#include "actors/queue_limits.hpp"
#include "actors/stack_identity.hpp"
#include "server/config_reading.hpp"
#include "supervision/restart_intensity.hpp"

namespace etherbeam::server {

// One link ([[link]] in the config file): a raw_binder's socket pair, and who
// etherbeam is on that link.
struct link_config {
  std::string name;
  std::filesystem::path socket_dir;
  // The two sockets one by one, when not the default names in socket_dir.
  std::filesystem::path frames_socket, replies_socket;
  actors::stack_identity identity;
};

struct server_config {
  // The control socket's directory, and with no [[link]] the one link's.
  std::filesystem::path socket_dir;
  // The one link's shorthand (--frames-socket, --replies-socket, --ip, --mac,
  // [stack]); answer_broadcast_ping counts for every link.
  std::filesystem::path frames_socket, replies_socket;
  actors::stack_identity identity;
  // [[link]] tables: when given, the links served instead of the shorthand.
  std::vector<link_config> links;
  std::string log_level = "info";
  std::size_t scheduler_threads = 0; // 0: one per core
  supervision::restart_intensity restart_intensity{5, std::chrono::seconds(10)};
  apps::dhcp::dhcp_settings dhcp; // no subnets: no DHCP server
  std::string user;         // started as root: switch to this user once the socket is bound
  std::string socket_group; // give the socket to this group (mode 0660)
  std::string binder_user;  // raw_binder's user, the only other one whose frames are taken
  // Lets the control socket's `fault CHILD` make a long-lived actor fail.
  bool allow_fault_injection = false;
  // Rewritten with the Prometheus metrics every few seconds; empty: none.
  std::filesystem::path metrics_file;
  actors::queue_limits limits;
  actors::concurrency_model model = actors::concurrency_model::inline_;
  std::size_t workers = 0; // per-protocol pool size; 0: one per scheduler thread
  int io_batch = 64;       // datagrams ingress reads per wake-up
  int busy_poll_us = 0;    // ingress spins this long for more frames after a batch (0: never)
  // Applications ([apps] in the file, --app/--no-app): those off by default
  // to run, those on by default not to; each one's [apps.NAME] table.
  std::vector<std::string> enabled_apps, disabled_apps;
  std::map<std::string, toml::table> app_settings;
  // etherbeam replay: no actor gets a thread of its own, so that one
  // scheduler thread runs everything in an order the input alone decides.
  bool deterministic = false;
};


// Reads a TOML config file (see docs/etherbeam.example.toml) into `into`.
void load_config_file(const std::filesystem::path& file, server_config& into);


// Checks what can only be checked once file and command line are merged.
void validate(const server_config& config);

// The links etherbeam serves: the [[link]] tables, or the one link the
// shorthand describes (named "main").
std::vector<link_config> served_links(const server_config& config);
// Every address etherbeam owns, on any link.
std::vector<protocols::ipv4_interface> owned_addresses(const server_config& config);

} // namespace etherbeam::server
