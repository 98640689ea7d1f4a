#include "apps/dhcp/dhcp_actor.hpp"

#include <caf/actor_registry.hpp>
#include <caf/actor_system.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <spdlog/spdlog.h>

#include "actors/link.hpp"
#include "apps/dhcp/dhcp_reply.hpp"
#include "actors/registered_name.hpp"

namespace etherbeam::apps::dhcp {

using actors::frame;
using actors::register_as;
using actors::send_frame_atom;
using actors::sender_actor;

namespace {

dhcp_actor::behavior_type dhcp(dhcp_actor::pointer self, std::shared_ptr<dhcp_counters> counters) {
  return {
    [self, counters](dhcp_answer_atom, dhcp_answer& a) {
      std::vector<protocols::dhcp_option> extra;
      for (const auto& o : a.extra) extra.push_back({o.code, o.value});
      a.reply.extra_options = extra;
      frame f{max_dhcp_reply_frame};
      auto n = emit_dhcp_reply(a.request, a.reply, a.server_address, a.request.server_mac, f.bytes());
      if (n == 0) {
        ++counters->replies_too_large;
        return;
      }
      f.shrink_to(n);
      ++*counters->sent[std::size_t(a.reply.message_type)];
      auto sender = caf::actor_cast<sender_actor>(self->system().registry().get(actors::sender_name(a.request.link)));
      if (sender) self->send(sender, send_frame_atom::value, std::move(f));
    },
    [self](inject_fault_atom) {
      spdlog::warn("dhcp actor: fault injected, failing on purpose");
      self->quit(caf::sec::runtime_error);
    },
  };
}

} // namespace

dhcp_actor spawn_dhcp_actor(caf::actor_system& system, std::shared_ptr<dhcp_counters> counters) {
  auto actor = system.spawn(dhcp, std::move(counters));
  register_as(system, dhcp_registry_name, caf::actor_cast<caf::actor>(actor));
  return actor;
}

} // namespace etherbeam::apps::dhcp
