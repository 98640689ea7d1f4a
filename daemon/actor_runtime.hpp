#pragma once
// How etherbeam sets up CAF: scheduler threads, how idle workers wait, and a
// clock that an actor's end does not disturb unless the actor set a timeout.
#include <cstddef>

namespace caf {
class actor_system_config;
}

namespace etherbeam::daemon {

// threads: scheduler workers; 0 means one per core.
void configure_actor_runtime(caf::actor_system_config& cfg, std::size_t threads);

} // namespace etherbeam::daemon
