#pragma once
// OTP-style registered names for long-lived actors, on CAF's registry: a
// restarted actor takes over its name, and an actor that ends gives its name
// up (the registry holds a strong reference, which would otherwise keep an
// ended actor, and a detached actor's thread, alive until exit).
#include <caf/actor.hpp>
#include <caf/atom.hpp>

namespace caf {
class actor_system;
}

namespace etherbeam::actors {

void register_as(caf::actor_system& system, caf::atom_value name, const caf::actor& actor);

} // namespace etherbeam::actors
