#include "apps/dhcp/dhcp_actor.hpp"

#include <chrono>
#include <memory>
#include <string>

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
  // Replies that had to leave options out are logged at most every 10 s.
  auto last_said = std::make_shared<std::chrono::steady_clock::time_point>();
  return {
    [self, counters, last_said](dhcp_answer_atom, dhcp_answer& a) {
      std::vector<protocols::dhcp_option> extra;
      for (const auto& o : a.extra) extra.push_back({o.code, o.value});
      frame f{max_dhcp_reply_frame};
      std::vector<std::uint8_t> left_out;
      auto n = emit_fitting_dhcp_reply(a.request, a.reply, extra, a.server_address, a.request.server_mac, f.bytes(),
                                       left_out);
      auto now = std::chrono::steady_clock::now();
      if (!left_out.empty()) ++counters->replies_too_large;
      if (!left_out.empty() && now - *last_said >= std::chrono::seconds(10)) {
        *last_said = now;
        std::string codes;
        for (auto c : left_out) codes += (codes.empty() ? "" : ", ") + std::to_string(c);
        spdlog::warn("dhcp: {} to {} sent without option{} {}: the client takes messages of at most {} bytes",
                     to_string(a.reply.message_type), a.request.message.client_hardware.to_string(),
                     left_out.size() == 1 ? "" : "s", codes, a.request.message.max_message_size.value_or(576));
      }
      if (n == 0) return; // not even the bare reply fits: counted above
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
