#include "actors/frame_actor.hpp"

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/send.hpp>
#include <spdlog/spdlog.h>

namespace etherbeam::actors {

namespace {

// Ends the frame's stay in flight however its actor ends, a throw included.
struct in_flight_release {
  stack_counters& counters;
  ~in_flight_release() { --counters.frames_in_flight; }
};

// Admits a DHCP message unless the lease manager is too far behind.
bool admit_dhcp(stack_counters& c, std::int64_t limit) {
  if (c.dhcp_backlog.load(std::memory_order_relaxed) >= limit) {
    ++c.overload_dhcp_dropped;
    return false;
  }
  ++c.dhcp_backlog;
  return true;
}

caf::behavior frame_actor(caf::event_based_actor* self, frame f, frame_context ctx) {
  in_flight_release release{*ctx.counters};
  self->set_exception_handler([counters = ctx.counters](std::exception_ptr& e) -> caf::error {
    ++counters->frame_actor_failures;
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& x) {
      spdlog::debug("frame actor failed: {}", x.what());
    } catch (...) {
      spdlog::debug("frame actor failed with a non-standard exception");
    }
    return caf::sec::runtime_error;
  });
  frame reply{std::vector<std::uint8_t>(f.bytes.size())};
  dhcp_inbound dhcp;
  auto v = ctx.handler(f.bytes, *ctx.identity, reply.bytes, ctx.serve_dhcp ? &dhcp : nullptr);
  ctx.counters->record(v);
  if (v.outcome == verdict::kind::handed_off) {
    if (!ctx.lease_manager) ++ctx.counters->dhcp_server_absent; // restarting: the client will retransmit
    else if (admit_dhcp(*ctx.counters, ctx.max_dhcp_backlog))
      self->send(ctx.lease_manager, dhcp_message_atom::value, std::move(dhcp));
  }
  if (v.outcome == verdict::kind::reply) {
    reply.bytes.resize(v.reply_len);
    self->send(ctx.sender, send_frame_atom::value, std::move(reply));
  }
  return {}; // no behaviour: the actor ends once its frame is decided
}

} // namespace

caf::actor spawn_frame_actor(caf::actor_system& system, frame f, const frame_context& context) {
  return system.spawn(frame_actor, std::move(f), context);
}

} // namespace etherbeam::actors
