#include "apps/sim/host_actors.hpp"

#include <mutex>

#include <caf/actor_registry.hpp>
#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/exit_reason.hpp>
#include <caf/send.hpp>
#include <caf/system_messages.hpp>
#include <spdlog/spdlog.h>

#include "actors/frame.hpp"
#include "actors/link.hpp"
#include "actors/messages.hpp"
#include "actors/tell.hpp"
#include "apps/sim/sim_messages.hpp"

namespace etherbeam::apps::sim {

void host_handles::resize(std::size_t n) {
  std::unique_lock guard(lock_);
  actors_.resize(n);
}

void host_handles::set(host_index host, caf::actor actor) {
  std::unique_lock guard(lock_);
  actors_.at(host) = std::move(actor);
}

caf::actor host_handles::get(host_index host) const {
  std::shared_lock guard(lock_);
  return host < actors_.size() ? actors_[host] : caf::actor{};
}

namespace {

struct host_state {
  actors::stack_identity me;
  static inline const char* name = "sim_host";
};

caf::behavior host(caf::stateful_actor<host_state>* self, host_spec spec, std::shared_ptr<const host_world> world) {
  self->state.me.mac = spec.mac;
  if (spec.address) self->state.me.addresses.push_back(*spec.address);
  return {
    [=](host_frame_atom, const actors::frame& f) {
      actors::frame reply{std::max(f.size(), actors::min_reply_room)};
      auto v = world->answers->decide(f.bytes(), self->state.me, reply.bytes(), self->context(), spec.link);
      v.record();
      if (v.outcome != actors::verdict::kind::reply) return;
      reply.shrink_to(v.reply_len);
      auto sender = caf::actor_cast<actors::sender_actor>(
        self->system().registry().get(actors::sender_name(spec.link)));
      if (!sender) return;
      ++world->counters->replies;
      actors::tell(self->context(), sender, actors::send_frame_atom::value, std::move(reply));
    },
  };
}

// Monitored, not linked: a link lives in both actors' lists, and the
// manager's would hold one per host, each death a search through them all
// (100,000 hosts took minutes to stop). The manager ends its hosts itself.
caf::actor spawn_host(caf::event_based_actor* manager, const host_spec& spec,
                      const std::shared_ptr<const host_world>& world) {
  // Lazily: a host starts when its first frame comes. Spawned eagerly, each
  // new actor is a job in the manager's worker's queue, which CAF 0.17's
  // work stealing scans from the tail: 100,000 of them took minutes.
  auto a = manager->spawn<caf::lazy_init>(host, spec, world);
  manager->monitor(a);
  world->handles->set(spec.index, a);
  return a;
}

struct manager_state {
  std::unordered_map<caf::actor_addr, host_index> hosts;
  static inline const char* name = "sim_hosts";
};

caf::behavior host_manager(caf::stateful_actor<manager_state>* self, std::shared_ptr<const host_world> world) {
  world->handles->resize(world->hosts.size());
  for (const auto& spec : world->hosts) self->state.hosts[spawn_host(self, spec, world).address()] = spec.index;
  spdlog::info("sim: {} hosts up", world->hosts.size());
  // A host that crashes starts again with its spec.
  self->set_down_handler([=](caf::down_msg& m) {
    auto it = self->state.hosts.find(m.source);
    if (it == self->state.hosts.end()) return;
    auto index = it->second;
    self->state.hosts.erase(it);
    if (!m.reason) return;
    ++world->counters->crashes;
    self->state.hosts[spawn_host(self, world->hosts[index], world).address()] = index;
  });
  self->attach_functor([world] {
    for (std::size_t i = 0; i < world->hosts.size(); ++i) {
      auto host = world->handles->get(static_cast<host_index>(i));
      if (host) caf::anon_send_exit(host, caf::exit_reason::user_shutdown);
      world->handles->set(static_cast<host_index>(i), {});
    }
  });
  return {[](host_frame_atom, const actors::frame&) {}};
}

} // namespace

caf::actor spawn_host_manager(caf::actor_system& system, std::shared_ptr<const host_world> world) {
  return system.spawn(host_manager, std::move(world));
}

} // namespace etherbeam::apps::sim
