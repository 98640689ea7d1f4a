#pragma once
// `sim arp HOST TARGET` and `sim ping HOST TARGET [COUNT]` on the control
// socket: the host (by its MAC or its address) looks for TARGET on its link
// as arping and ping would, and the reply is its report.
#include <string>
#include <string_view>

#include "apps/sim/host_actors.hpp"

namespace caf {
class blocking_actor;
}

namespace etherbeam::apps::sim {

// `arguments` after "sim": "arp HOST TARGET" or "ping HOST TARGET [COUNT]".
std::string probe_command(caf::blocking_actor* self, const host_world& world, std::string_view arguments);

} // namespace etherbeam::apps::sim
