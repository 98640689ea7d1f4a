#pragma once
#include <filesystem>
#include <memory>

#include "actors/messages.hpp"
#include "actors/stack_counters.hpp"

namespace caf {
class actor_system;
}

namespace etherbeam::actors {

// Spawns the sender: it opens its own sending socket, registers itself under
// sender_registry_name and writes every frame it is given to the socket bound
// at `binder` without ever blocking; frames the binder cannot take are counted
// and dropped.
sender_actor spawn_sender(caf::actor_system& system, std::filesystem::path binder,
                          std::shared_ptr<stack_counters> counters);

} // namespace etherbeam::actors
