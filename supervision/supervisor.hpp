#pragma once
// A supervisor in the manner of Erlang/OTP's `supervisor`: it starts children
// from child specs, links to them with exits trapped, restarts them by their
// restart type and the chosen strategy, and gives up (escalates to its own
// parent by exiting with restart_intensity_exceeded) when children fail more
// often than its restart intensity allows.
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <caf/actor.hpp>
#include <caf/atom.hpp>
#include <caf/error.hpp>
#include <caf/fwd.hpp>

#include "supervision/restart_intensity.hpp"

namespace etherbeam::supervision {

// OTP restart types: permanent children are always restarted, transient ones
// only after an abnormal exit, temporary ones never.
enum class restart_type : std::uint8_t { permanent, transient, temporary };

// one_for_one: restart only the child that exited; one_for_all: restart every
// child; rest_for_one: restart the child and those started after it.
enum class strategy : std::uint8_t { one_for_one, one_for_all, rest_for_one };

// OTP's shutdown: how long a child asked to stop (exit reason user_shutdown)
// may take before it is killed. Stopping waits until the child is gone —
// "told to stop" is not "stopped": a child that fsyncs on its own thread must
// be gone before its successor starts.
inline constexpr std::chrono::milliseconds default_shutdown{5000};

struct child_spec {
  std::string id;
  std::function<caf::actor(caf::actor_system&)> start;
  restart_type restart = restart_type::permanent;
  std::chrono::milliseconds shutdown = default_shutdown;
};

struct supervisor_spec {
  std::string name;
  strategy restart_strategy = strategy::one_for_one;
  restart_intensity intensity;
  std::vector<child_spec> children; // started in order, stopped in reverse
  // Called after each restart, e.g. to count it; may be empty.
  std::function<void(const std::string& child_id, const caf::error& reason)> on_restart;
};

enum class supervision_errc : std::uint8_t { restart_intensity_exceeded = 1, child_start_failed };
inline constexpr auto supervision_error_category = caf::atom("supervise");
caf::error make_error(supervision_errc code);
std::string render_supervision_error(std::uint8_t code, caf::atom_value, const caf::message&);

// Queries a running supervisor answers (for tests, the control interface and
// fault injection): the current actor of a child by id, and restart totals.
using get_child_atom = caf::atom_constant<caf::atom("getchild")>;
using restart_count_atom = caf::atom_constant<caf::atom("restarts")>;
// Sent by a supervisor to itself when a stopping child's shutdown time is up.
using shutdown_timeout_atom = caf::atom_constant<caf::atom("shutdowntm")>;

// Spawns a supervisor. It starts its children before returning, so a child
// that cannot start makes the supervisor exit with child_start_failed.
caf::actor spawn_supervisor(caf::actor_system& system, supervisor_spec spec);

} // namespace etherbeam::supervision
