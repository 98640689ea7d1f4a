#include "apps/sim/host_actors.hpp"

#include <mutex>

#include <caf/actor_registry.hpp>
#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/system_messages.hpp>

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

caf::actor spawn_host(caf::event_based_actor* manager, const host_spec& spec,
                      const std::shared_ptr<const host_world>& world) {
  auto a = manager->spawn<caf::linked>(host, spec, world);
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
  // A host that crashes starts again with its spec; anything else ends the manager (and its hosts).
  self->set_exit_handler([=](caf::exit_msg& m) {
    auto it = self->state.hosts.find(m.source);
    if (it == self->state.hosts.end()) return self->quit(m.reason);
    auto index = it->second;
    self->state.hosts.erase(it);
    if (!m.reason) return;
    ++world->counters->crashes;
    self->state.hosts[spawn_host(self, world->hosts[index], world).address()] = index;
  });
  return {[](host_frame_atom, const actors::frame&) {}};
}

} // namespace

caf::actor spawn_host_manager(caf::actor_system& system, std::shared_ptr<const host_world> world) {
  return system.spawn(host_manager, std::move(world));
}

} // namespace etherbeam::apps::sim
