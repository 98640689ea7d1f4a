#pragma once
// etherbeam's supervision tree: which long-lived actors exist and who restarts
// them. docs/ARCHITECTURE.md draws it.
#include <memory>

#include "actors/server_config.hpp"
#include "actors/stack_counters.hpp"
#include "supervision/supervisor.hpp"

namespace etherbeam::actors {

// root (one_for_one): sender, then ingress. Both are permanent; the sender
// registers itself by name, so the ingress needs no restart when it changes.
supervision::supervisor_spec root_supervisor_spec(const server_config& config, int ingress_socket,
                                                  std::shared_ptr<stack_counters> counters);

} // namespace etherbeam::actors
