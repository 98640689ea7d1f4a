#include "supervision/supervisor.hpp"

#include <algorithm>
#include <optional>

#include <caf/actor_system.hpp>
#include <caf/exit_reason.hpp>
#include <caf/message_id.hpp>
#include <caf/message_priority.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/system_messages.hpp>
#include <spdlog/spdlog.h>

namespace etherbeam::supervision {

caf::error make_error(supervision_errc code) {
  return {static_cast<std::uint8_t>(code), supervision_error_category};
}

std::string render_supervision_error(std::uint8_t code, caf::atom_value, const caf::message&) {
  switch (static_cast<supervision_errc>(code)) {
    case supervision_errc::restart_intensity_exceeded: return "restart_intensity_exceeded";
    case supervision_errc::child_start_failed: return "child_start_failed";
  }
  return "supervision_error(" + std::to_string(code) + ")";
}

namespace {

struct supervised_child {
  child_spec spec;
  caf::actor current; // null while not running
  std::uint64_t restarts = 0;
};

// A child asked to stop and not gone yet, as OTP's supervisor waits for it.
struct stopping_child {
  caf::actor actor;
  std::string id;
  std::chrono::milliseconds shutdown;
};

// What to do once every stopping child is gone: start children again, or end
// the supervisor itself.
struct after_stop {
  std::size_t first = 0, last = 0, failed = 0; // restart children [first, last)
  caf::error reason;                            // of the failed child, or why we quit
  bool quit = false;
};

struct supervisor_state {
  std::string name;
  strategy restart_strategy = strategy::one_for_one;
  std::vector<supervised_child> children;
  restart_window window{restart_intensity{}};
  std::uint64_t total_restarts = 0;
  std::function<void(const std::string&, const caf::error&)> on_restart;
  std::vector<stopping_child> stopping;
  std::optional<after_stop> pending;
};

using supervisor_actor = caf::stateful_actor<supervisor_state>;

bool wants_restart(restart_type type, const caf::error& reason) {
  switch (type) {
    case restart_type::permanent: return true;
    // OTP: a transient child that ends normally or is shut down stays down.
    case restart_type::transient: return reason && reason != caf::exit_reason::user_shutdown;
    case restart_type::temporary: return false;
  }
  return false;
}

// An exit signal goes ahead of the messages waiting in the child's mailbox,
// as Erlang's signals do: a child with a backlog (the lease manager after a
// DHCP flood) would otherwise stop only once it has worked through it.
void signal_exit(supervisor_actor* self, const caf::actor& child, caf::exit_reason reason) {
  child->enqueue(self->ctrl(), caf::make_message_id(caf::message_priority::high),
                 caf::make_message(caf::exit_msg{self->address(), reason}), self->context());
}

void start_child(supervisor_actor* self, supervised_child& child) {
  child.current = child.spec.start(self->system());
  if (!child.current) throw std::runtime_error("start function returned no actor");
  self->link_to(child.current);
}

// Asks a child to stop: unlinked first, so that its exit is not taken for a
// failure, and monitored, so that we know when it is gone. If it is still
// there when its shutdown time is up, it is killed.
void stop_child(supervisor_actor* self, supervised_child& child) {
  if (!child.current) return;
  auto actor = std::move(child.current);
  child.current = nullptr;
  self->unlink_from(actor);
  self->monitor(actor);
  signal_exit(self, actor, caf::exit_reason::user_shutdown);
  self->delayed_send(self, child.spec.shutdown, shutdown_timeout_atom::value, actor.address());
  self->state.stopping.push_back({std::move(actor), child.spec.id, child.spec.shutdown});
}

// Stops children [first, last) in reverse start order, as OTP does.
void stop_children(supervisor_actor* self, std::size_t first, std::size_t last) {
  auto& children = self->state.children;
  for (auto i = last; i > first; --i) stop_child(self, children[i - 1]);
}

void give_up(supervisor_actor* self, caf::error reason);

// Starts children [first, last) again, the failed one with its exit reason.
void start_again(supervisor_actor* self, const after_stop& what) {
  auto& st = self->state;
  for (auto i = what.first; i < what.last; ++i) {
    auto& child = st.children[i];
    auto reason = i == what.failed ? what.reason : caf::error{};
    if (!wants_restart(child.spec.restart, reason)) continue;
    try {
      start_child(self, child);
    } catch (const std::exception& e) {
      spdlog::error("supervisor {}: child {} failed to restart: {}", st.name, child.spec.id, e.what());
      give_up(self, make_error(supervision_errc::child_start_failed));
      return;
    }
    ++child.restarts;
    ++st.total_restarts;
    spdlog::warn("supervisor {}: restarted child {} (exit reason: {})", st.name, child.spec.id,
                 self->system().render(what.reason));
    if (st.on_restart) st.on_restart(child.spec.id, what.reason);
  }
}

// Runs what waited for the stopping children, once the last is gone.
void continue_when_stopped(supervisor_actor* self) {
  auto& st = self->state;
  if (!st.stopping.empty() || !st.pending) return;
  auto what = std::move(*st.pending);
  st.pending.reset();
  if (what.quit) self->quit(std::move(what.reason));
  else start_again(self, what);
}

void give_up(supervisor_actor* self, caf::error reason) {
  stop_children(self, 0, self->state.children.size());
  self->state.pending = after_stop{0, 0, 0, std::move(reason), true};
  continue_when_stopped(self);
}

void restart_children(supervisor_actor* self, std::size_t failed, const caf::error& reason) {
  auto& st = self->state;
  auto first = st.restart_strategy == strategy::one_for_all ? 0 : failed;
  auto last = st.restart_strategy == strategy::one_for_one ? failed + 1 : st.children.size();
  stop_children(self, first, last); // the failed child is already down
  st.pending = after_stop{first, last, failed, reason, false};
  continue_when_stopped(self);
}

void on_exit(supervisor_actor* self, caf::exit_msg& msg) {
  auto& st = self->state;
  auto it = std::find_if(st.children.begin(), st.children.end(), [&](const supervised_child& c) {
    return c.current && c.current.address() == msg.source;
  });
  if (it == st.children.end()) {
    // An exit signal from our own parent (or anyone not a child): shut down.
    if (!st.pending || !st.pending->quit) give_up(self, std::move(msg.reason));
    return;
  }
  it->current = nullptr;
  if (st.pending && st.pending->quit) return; // shutting down anyway
  if (!wants_restart(it->spec.restart, msg.reason)) {
    spdlog::info("supervisor {}: child {} exited ({}), not restarted", st.name, it->spec.id,
                 self->system().render(msg.reason));
    return;
  }
  if (!st.window.admit(restart_window::clock::now())) {
    spdlog::error("supervisor {}: child {} exited ({}) and the restart intensity is exceeded; "
                  "giving up and escalating",
                  st.name, it->spec.id, self->system().render(msg.reason));
    give_up(self, make_error(supervision_errc::restart_intensity_exceeded));
    return;
  }
  auto failed = static_cast<std::size_t>(it - st.children.begin());
  if (st.pending) { // a restart is already waiting for children to stop: widen it
    st.pending->first = std::min(st.pending->first, failed);
    st.pending->last = std::max(st.pending->last, failed + 1);
    return;
  }
  restart_children(self, failed, msg.reason);
}

void on_down(supervisor_actor* self, caf::down_msg& msg) {
  auto& stopping = self->state.stopping;
  auto it = std::find_if(stopping.begin(), stopping.end(),
                         [&](const stopping_child& c) { return c.actor.address() == msg.source; });
  if (it == stopping.end()) return;
  stopping.erase(it);
  continue_when_stopped(self);
}

void on_shutdown_timeout(supervisor_actor* self, const caf::actor_addr& who) {
  auto& st = self->state;
  auto it = std::find_if(st.stopping.begin(), st.stopping.end(),
                         [&](const stopping_child& c) { return c.actor.address() == who; });
  if (it == st.stopping.end()) return; // stopped in time
  spdlog::warn("supervisor {}: child {} did not stop within {} ms; killing it", st.name, it->id,
               it->shutdown.count());
  signal_exit(self, it->actor, caf::exit_reason::kill); // its down message ends the wait
}

caf::behavior supervisor_behavior(supervisor_actor* self, supervisor_spec spec) {
  auto& st = self->state;
  st.name = spec.name;
  st.restart_strategy = spec.restart_strategy;
  st.window = restart_window{spec.intensity};
  st.on_restart = std::move(spec.on_restart);
  self->set_exit_handler([self](caf::exit_msg& msg) { on_exit(self, msg); });
  self->set_down_handler([self](caf::down_msg& msg) { on_down(self, msg); });
  for (auto& c : spec.children) st.children.push_back({std::move(c), nullptr, 0});
  for (auto& child : st.children) {
    try {
      start_child(self, child);
    } catch (const std::exception& e) {
      spdlog::error("supervisor {}: child {} failed to start: {}", st.name, child.spec.id, e.what());
      // Those already started are told to stop; the supervisor ends now, with
      // this reason, rather than linger without a behaviour.
      stop_children(self, 0, st.children.size());
      self->quit(make_error(supervision_errc::child_start_failed));
      return {};
    }
  }
  return {
    [self](get_child_atom, const std::string& id) -> caf::result<caf::actor> {
      for (auto& c : self->state.children)
        if (c.spec.id == id && c.current) return c.current;
      return caf::make_error(caf::sec::invalid_argument, id);
    },
    [self](restart_count_atom) { return self->state.total_restarts; },
    [self](shutdown_timeout_atom, const caf::actor_addr& who) { on_shutdown_timeout(self, who); },
  };
}

} // namespace

caf::actor spawn_supervisor(caf::actor_system& system, supervisor_spec spec) {
  return system.spawn(supervisor_behavior, std::move(spec));
}

} // namespace etherbeam::supervision
