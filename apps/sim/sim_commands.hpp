#pragma once
// The `sim` commands on the control socket. `sim arp HOST TARGET` and
// `sim ping HOST TARGET [COUNT]`: the host (by its MAC or its address) looks
// for TARGET on its link as arping and ping would, and the reply is its report.
#include <string>
#include <string_view>

#include "actors/link_directory.hpp"
#include "apps/sim/host_actors.hpp"

namespace caf {
class blocking_actor;
}

namespace etherbeam::apps::sim {

// `sim status`: hosts by DHCP state, latencies, retransmissions, answers.
std::string status_of(const host_world& world);
// `sim reboot`: every DHCP host at once, INIT-REBOOT with the address it held.
std::string reboot_all(const host_world& world);
// `arguments` after "sim": "arp HOST TARGET" or "ping HOST TARGET [COUNT]".
std::string probe_command(caf::blocking_actor* self, const host_world& world, std::string_view arguments);
// `sim add GROUP`: GROUP as an inline table's body (count = 10, mac = "…",
// address = "dhcp"), checked as the config file's groups are; all or none.
std::string add_command(caf::blocking_actor* self, const host_world& world, const actors::link_directory& links,
                        std::string_view group);
// `sim remove HOST [COUNT]`: the host (by MAC or address) and the COUNT - 1
// after it by MAC; DHCP hosts release their leases first.
std::string remove_command(const host_world& world, std::string_view arguments);

} // namespace etherbeam::apps::sim
