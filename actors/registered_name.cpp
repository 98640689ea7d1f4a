#include "actors/registered_name.hpp"

#include <caf/actor_addr.hpp>
#include <caf/actor_cast.hpp>
#include <caf/actor_registry.hpp>
#include <caf/actor_system.hpp>

namespace etherbeam::actors {

void register_as(caf::actor_system& system, caf::atom_value name, const caf::actor& actor) {
  // CAF 0.17's put() keeps an existing entry, so the old one goes first.
  system.registry().erase(name);
  system.registry().put(name, actor);
  auto self = actor.address();
  actor->attach_functor([&system, name, self](const caf::error&) {
    // Only if the name is still ours: a successor may have taken it already.
    if (caf::actor_cast<caf::actor_addr>(system.registry().get(name)) == self)
      system.registry().erase(name);
  });
}

} // namespace etherbeam::actors
