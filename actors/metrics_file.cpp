#include "actors/metrics_file.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <stdexcept>

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/stateful_actor.hpp>
#include <spdlog/spdlog.h>

#include "actors/messages.hpp"
#include "actors/metrics.hpp"

namespace etherbeam::actors {

namespace {

using write_metrics_atom = caf::atom_constant<caf::atom("wmetrics")>;

struct metrics_file_state {
  bool failing = false; // said once until a write works again
  static inline const char* name = "metrics_file";
};

caf::behavior metrics_file(caf::stateful_actor<metrics_file_state>* self, std::filesystem::path path,
                           std::shared_ptr<stack_counters> counters) {
  self->send(self, write_metrics_atom::value);
  return {
    [=](write_metrics_atom) {
      try {
        write_metrics_file(path, *counters);
        if (self->state.failing) spdlog::info("metrics: writing {} again", path.string());
        self->state.failing = false;
      } catch (const std::exception& e) {
        if (!self->state.failing) spdlog::warn("metrics: {}", e.what());
        self->state.failing = true;
      }
      self->delayed_send(self, metrics_file_interval, write_metrics_atom::value);
    },
    [=](inject_fault_atom) { self->quit(caf::sec::runtime_error); },
  };
}

} // namespace

void write_metrics_file(const std::filesystem::path& path, const stack_counters& counters) {
  // Beside the file, so that the rename stays on one file system; node_exporter
  // reads only *.prom, so the temporary is never collected.
  auto temporary = path;
  temporary += ".tmp." + std::to_string(::getpid());
  {
    std::ofstream out(temporary, std::ios::trunc);
    out << prometheus_exposition(counters);
    out.flush();
    if (!out) {
      int e = errno;
      std::filesystem::remove(temporary);
      throw std::runtime_error("cannot write " + temporary.string() + ": " + std::strerror(e) +
                               "; give etherbeam's user write access to " + path.parent_path().string() +
                               " (node_exporter's --collector.textfile.directory)");
    }
  }
  std::error_code ec;
  std::filesystem::rename(temporary, path, ec);
  if (ec) {
    std::filesystem::remove(temporary);
    throw std::runtime_error("cannot replace " + path.string() + ": " + ec.message());
  }
}

caf::actor spawn_metrics_file(caf::actor_system& system, std::filesystem::path path,
                              std::shared_ptr<stack_counters> counters) {
  return system.spawn(metrics_file, std::move(path), std::move(counters));
}

} // namespace etherbeam::actors
