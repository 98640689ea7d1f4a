#pragma once
#include <filesystem>
#include <memory>

#include "actors/link.hpp"
#include "actors/messages.hpp"
#include "actors/stack_counters.hpp"

namespace caf {
class actor_system;
}

namespace etherbeam::actors {

// Spawns a link's sender: it opens its own sending socket, registers itself
// under sender_name(link) and writes every frame it is given to the socket
// bound at `binder` without ever blocking; frames the binder cannot take are
// counted and dropped.
sender_actor spawn_sender(caf::actor_system& system, std::filesystem::path binder,
                          std::shared_ptr<stack_counters> counters, link_index link = 0,
                          std::shared_ptr<link_counters> per_link = nullptr);

} // namespace etherbeam::actors
