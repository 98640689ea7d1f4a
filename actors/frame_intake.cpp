#include "actors/frame_intake.hpp"

#include <caf/actor_cast.hpp>
#include <caf/actor_registry.hpp>
#include <caf/actor_system.hpp>

#include "actors/tell.hpp"

namespace etherbeam::actors {

std::shared_ptr<reply_batches> replies_of(const ingress_settings& s) {
  if (!s.directory || s.every_link.size() != s.directory->size())
    return std::make_shared<reply_batches>(s.link, s.binder_socket, s.counters, s.per_link);
  return std::make_shared<reply_batches>(s.link, s.binder_socket, s.counters, s.per_link, s.directory, s.every_link);
}

frame_intake::frame_intake(caf::actor_system& system, const ingress_settings& s, std::vector<caf::actor> pool)
    : system_(system), s_(s), senders_(s.binder_user, "--binder-user"), pool_(std::move(pool)),
      context_{nullptr, s.counters, {}, s.dispatch, s.handler, s.link, &system},
      reassembly_counters_(s.reassembly ? s.reassembly : std::make_shared<reassembly_counters>(s.counters->named)),
      fragments_(*reassembly_counters_, s.reassembly_limits) {
  if (s.model == concurrency_model::inline_) own_replies_ = replies_of(s);
}

void frame_intake::begin_batch(std::shared_ptr<const stack_identity> identity) {
  context_.identity = std::move(identity);
  context_.sender = caf::actor_cast<sender_actor>(system_.registry().get(sender_name(s_.link)));
  shared_.reset();
  batch_time_ = fragment_reassembly::clock::now();
  if (s_.model != concurrency_model::inline_) shared_ = std::make_shared<const frame_context>(context_);
}

void frame_intake::take(std::span<const std::uint8_t> bytes, const msghdr& header, bool truncated) {
  auto& c = *s_.counters;
  ++c.frames_in;
  ++s_.per_link->frames_in;
  if (truncated) {
    ++c.oversize_frames;
    return;
  }
  if (!senders_.admits(header)) {
    ++c.frames_refused_untrusted_sender;
    return;
  }
  switch (fragments_.take(bytes, *context_.identity, batch_time_)) {
    case fragment_reassembly::result::not_a_fragment: break;
    case fragment_reassembly::result::taken: return;
    case fragment_reassembly::result::whole: bytes = fragments_.whole_frame(); break;
  }
  if (c.frames_in_flight.load(std::memory_order_relaxed) >= s_.limits.frames_in_flight) {
    ++c.overload_frames_dropped; // read and dropped: the socket never backs up
    return;
  }
  ++c.frames_in_flight;
  switch (s_.model) {
    case concurrency_model::per_frame: spawn_frame_actor(system_, frame{bytes}, shared_); break;
    case concurrency_model::per_protocol:
      tell(nullptr, pool_[next_worker_++ % pool_.size()], decide_frame_atom::value, frame{bytes}, shared_);
      break;
    case concurrency_model::inline_: decide_frame(bytes, context_, nullptr, own_replies_.get()); break;
  }
}

void frame_intake::end_batch() {
  if (own_replies_) own_replies_->flush();
}

void frame_intake::announce(const stack_identity& identity) {
  auto sender = caf::actor_cast<sender_actor>(system_.registry().get(sender_name(s_.link)));
  if (!sender) return;
  s_.dispatch->announce(identity, [&](std::span<const std::uint8_t> f) {
    ++announced_;
    tell(nullptr, sender, send_frame_atom::value, frame{f});
  });
}

} // namespace etherbeam::actors

namespace etherbeam::actors {

void frame_intake::expire_fragments(const stack_identity& identity) {
  fragments_.expire(fragment_reassembly::clock::now(), identity, [&](std::span<const std::uint8_t> f) {
    auto sender = caf::actor_cast<sender_actor>(system_.registry().get(sender_name(s_.link)));
    if (sender) tell(nullptr, sender, send_frame_atom::value, frame{f});
  });
}

} // namespace etherbeam::actors
