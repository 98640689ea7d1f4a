#pragma once
// --metrics-file: the Prometheus exposition rewritten every few seconds for
// node_exporter's textfile collector, atomically (written beside, then
// renamed over) so that the collector never reads half a file.
#include <chrono>
#include <filesystem>
#include <memory>

#include "actors/stack_counters.hpp"

namespace caf {
class actor;
class actor_system;
}

namespace etherbeam::actors {

inline constexpr std::chrono::seconds metrics_file_interval{5};

caf::actor spawn_metrics_file(caf::actor_system& system, std::filesystem::path path,
                              std::shared_ptr<stack_counters> counters);

// Writes the exposition to `path` atomically; throws std::runtime_error
// saying what failed and what to do.
void write_metrics_file(const std::filesystem::path& path, const stack_counters& counters);

} // namespace etherbeam::actors
