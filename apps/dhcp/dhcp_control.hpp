#pragma once
// The DHCP server's commands on the control socket: the lease API
// (lease4-*, see lease_api.hpp), `leases` (the live table, as `etherbeam
// leases` shows it) and `watch` (lease events as JSON lines while they
// happen). Each asks the lease manager, which owns the table.
#include <vector>

#include "actors/control_channel.hpp"

namespace etherbeam::apps::dhcp {

std::vector<actors::control_command> dhcp_control_commands();

} // namespace etherbeam::apps::dhcp
