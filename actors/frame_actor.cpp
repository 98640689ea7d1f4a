#include "actors/frame_actor.hpp"

#include <algorithm>
#include <optional>

#include <caf/actor_registry.hpp>
#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/mailbox_element.hpp>
#include <spdlog/spdlog.h>

#include "actors/reply_batch.hpp"
#include "actors/tell.hpp"
#include "protocols/ethernet.hpp"
#include "protocols/ipv4_fragmentation.hpp"

namespace etherbeam::actors {

namespace {

// Ends the frame's stay in flight however its decision ends, a throw included.
struct in_flight_release {
  stack_counters& counters;
  ~in_flight_release() { --counters.frames_in_flight; }
};

// A reply that leaves on another link than the one its frame came in on (a
// router's forwarded packet, which its decider made fit that link): into the
// caller's batch for that link, else to that link's sender.
void send_on_link(frame f, link_index link, const frame_context& ctx, caf::execution_unit* here,
                  reply_batches* own) {
  if (auto* batch = own ? own->to(link) : nullptr) return batch->add(std::move(f));
  auto* system = here ? &here->system() : ctx.system;
  auto sender = system ? caf::actor_cast<sender_actor>(system->registry().get(sender_name(link))) : sender_actor{};
  if (!sender) {
    ++ctx.counters->replies_dropped_binder_absent;
    return;
  }
  tell(here, sender, send_frame_atom::value, std::move(f));
}

// A reply to a reassembled datagram can be longer than the link carries: it
// leaves as fragments (the frame's first bytes name no IPv4 header often
// enough that only long replies are parsed).
void send_reply(frame reply, const frame_context& ctx, caf::execution_unit* here, reply_batches* own,
                std::optional<link_index> out_link = std::nullopt) {
  if (out_link && *out_link != ctx.link) return send_on_link(std::move(reply), *out_link, ctx, here, own);
  constexpr std::size_t untagged_header = 14;
  auto deliver = [&](frame f) {
    if (own) own->own().add(std::move(f));
    else tell(here, ctx.sender, send_frame_atom::value, std::move(f));
  };
  auto mtu = ctx.identity->link_mtu();
  if (reply.size() <= untagged_header + mtu) return deliver(std::move(reply));
  auto eth = protocols::ethernet_frame::check(reply.bytes());
  std::size_t link_header = eth ? reply.size() - eth->payload().size() : 0;
  auto outcome = eth && eth->ethertype() == protocols::ethertype::ipv4
                   ? protocols::fragment_frame(reply.bytes(), link_header, mtu,
                                               [&](protocols::byte_view f) {
                                                 deliver(frame{f});
                                               })
                   : protocols::fragmentation::not_ipv4;
  switch (outcome) {
    case protocols::fragmentation::fits: deliver(std::move(reply)); break;
    case protocols::fragmentation::fragmented: ++ctx.counters->replies_fragmented; break;
    default: ++ctx.counters->replies_too_large; break;
  }
}

void decide(protocols::byte_view bytes, const frame_context& ctx, caf::execution_unit* here, reply_batches* own) {
  frame reply{std::max(bytes.size(), min_reply_room)};
  auto v = ctx.handler(*ctx.dispatch, bytes, *ctx.identity, reply.bytes(), here, ctx.link);
  v.record();
  if (v.outcome == verdict::kind::reply) {
    reply.shrink_to(v.reply_len);
    send_reply(std::move(reply), ctx, here, own, v.out_link);
  }
}

// The BEAM way: a throw kills this actor, and only it; its exit is counted.
caf::behavior frame_actor(caf::event_based_actor* self, frame f, shared_frame_context ctx) {
  self->set_exception_handler([counters = ctx->counters](std::exception_ptr& e) -> caf::error {
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
  in_flight_release release{*ctx->counters};
  decide(f.bytes(), *ctx, self->context(), nullptr);
  return {}; // no behaviour: the actor ends once its frame is decided
}

// Replies wait in the worker's batch while more frames are in its mailbox:
// the flush it sends itself arrives after them.
caf::behavior frame_worker(caf::event_based_actor* self, std::shared_ptr<reply_batches> replies) {
  auto flush_queued = std::make_shared<bool>(false);
  return {
    [self, replies, flush_queued](decide_frame_atom, const frame& f, const shared_frame_context& ctx) {
      decide_frame(f.bytes(), *ctx, self->context(), replies.get());
      if (replies->empty() || *flush_queued) return;
      *flush_queued = true;
      self->send(self, flush_atom::value);
    },
    [replies, flush_queued](flush_atom) {
      *flush_queued = false;
      replies->flush();
    },
  };
}

} // namespace

void resume_frame(protocols::byte_view bytes, const frame_context& ctx, const frame_decider* after,
                  caf::execution_unit* here) {
  try {
    frame reply{std::max(bytes.size(), min_reply_room)};
    auto v = ctx.dispatch->decide(bytes, *ctx.identity, reply.bytes(), here, ctx.link, after);
    finish_frame(v, std::move(reply), ctx, here);
  } catch (const std::exception& x) {
    ++ctx.counters->frame_actor_failures;
    spdlog::debug("deciding a frame given back by a stage failed: {}", x.what());
  }
}

void finish_frame(const verdict& v, frame reply, const frame_context& ctx, caf::execution_unit* here) {
  v.record();
  if (v.outcome != verdict::kind::reply) return;
  reply.shrink_to(v.reply_len);
  send_reply(std::move(reply), ctx, here, nullptr, v.out_link);
}

verdict dispatch_frame(const dispatcher& dispatch, protocols::byte_view frame, const stack_identity& me,
                       protocols::byte_buffer reply, caf::execution_unit* here, link_index link) {
  return dispatch.decide(frame, me, reply, here, link);
}

void decide_frame(protocols::byte_view bytes, const frame_context& ctx, caf::execution_unit* here,
                  reply_batches* own) {
  in_flight_release release{*ctx.counters};
  try {
    decide(bytes, ctx, here, own);
  } catch (const std::exception& x) {
    ++ctx.counters->frame_actor_failures;
    spdlog::debug("deciding a frame failed: {}", x.what());
  } catch (...) {
    ++ctx.counters->frame_actor_failures;
    spdlog::debug("deciding a frame failed with a non-standard exception");
  }
}

caf::actor spawn_frame_actor(caf::actor_system& system, frame f, shared_frame_context context) {
  return system.spawn(frame_actor, std::move(f), std::move(context));
}

caf::actor spawn_frame_worker(caf::actor_system& system, std::shared_ptr<reply_batches> replies) {
  return system.spawn(frame_worker, std::move(replies));
}

} // namespace etherbeam::actors
