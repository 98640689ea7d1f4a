#pragma once
#include <caf/atom.hpp>

namespace etherbeam::apps::sim {

// A frame for a simulated host, from the stage to the host's actor.
using host_frame_atom = caf::atom_constant<caf::atom("simframe")>;

} // namespace etherbeam::apps::sim
