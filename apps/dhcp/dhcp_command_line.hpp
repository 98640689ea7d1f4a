#pragma once
// The DHCP application's part of etherbeam's command line and start-up:
// --dhcp-pool, --state-dir, `etherbeam leases`, and the state directory
// handed to etherbeam's user and locked while it serves.
#include "server/applications.hpp"

namespace etherbeam::apps::dhcp {

server::command_line_part dhcp_command_line(CLI::App& app);
void hand_over_state(const server::server_config& config, uid_t uid, gid_t gid);
std::shared_ptr<void> hold_state(const server::server_config& config);

} // namespace etherbeam::apps::dhcp
