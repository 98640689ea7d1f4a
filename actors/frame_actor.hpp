#pragma once
// How a frame gets decided. Three concurrency models, chosen at start
// (--model), for experiments with the same decision code:
//   per_frame:    the BEAM "process per frame": a short-lived actor per frame
//                 decodes it, decides, hands any reply to the sender, and ends.
//                 A frame that makes its actor throw kills only that actor.
//   per_protocol: long-lived workers: a pool for the stateless applications,
//                 fed round-robin by ingress; stateful applications hand off
//                 to their own actors as in every model.
//   inline:       ingress decides stateless frames itself, no actor in between.
// In every model a frame whose decision throws is counted, and only it is lost.
#include <filesystem>
#include <memory>

#include "actors/concurrency_model.hpp"
#include "actors/dispatcher.hpp"
#include "actors/frame.hpp"
#include "actors/link.hpp"
#include "actors/messages.hpp"
#include "actors/stack_counters.hpp"

namespace caf {
class execution_unit;
class actor;
class actor_system;
}

namespace etherbeam::actors {

class reply_batches;

// How a frame is decided: the dispatcher's decision, or in tests a handler
// that fails on purpose.
using frame_handler = verdict (*)(const dispatcher& dispatch, protocols::byte_view frame,
                                  const stack_identity& me, protocols::byte_buffer reply,
                                  caf::execution_unit* here, link_index link);
verdict dispatch_frame(const dispatcher& dispatch, protocols::byte_view frame, const stack_identity& me,
                       protocols::byte_buffer reply, caf::execution_unit* here, link_index link);

// What deciding a frame needs besides the frame; shared by all deciders.
struct frame_context {
  std::shared_ptr<const stack_identity> identity;
  std::shared_ptr<stack_counters> counters;
  sender_actor sender;
  std::shared_ptr<const dispatcher> dispatch;
  frame_handler handler = dispatch_frame;
  link_index link = 0; // the link the frames came in on, whose sender replies
  // Where another link's sender is found when a reply leaves on that link
  // (a router's) and the decider has no batch of its own for it.
  caf::actor_system* system = nullptr;
};

// Decides one frame in the caller (inline, per_protocol): counts the verdict,
// puts a reply into the caller's own batches (`own`, which the caller
// flushes; the batch of the link it leaves on) or, without them, hands it to
// that link's sender, and ends the frame's stay in
// flight (frames_in_flight). A throw is counted as a frame failure and goes
// no further: the caller lives on. `here` is the caller's execution unit
// (null outside the scheduler, as in ingress).
void decide_frame(protocols::byte_view frame, const frame_context& ctx, caf::execution_unit* here = nullptr,
                  reply_batches* own = nullptr);

// A frame a stage handed to an actor of its own and gives back (see
// reinjection.hpp): decided from the stage after `after` on, counted, any
// reply sent by ctx.link's sender. Its stay in flight ended at the hand-off.
void resume_frame(protocols::byte_view frame, const frame_context& ctx, const frame_decider* after,
                  caf::execution_unit* here);
// A verdict reached outside the dispatcher, by such an actor: counted, and a
// reply (its first v.reply_len bytes of `reply`) sent by ctx.link's sender.
void finish_frame(const verdict& v, frame reply, const frame_context& ctx, caf::execution_unit* here);

// per_frame: an actor for this frame alone; a throw ends it, and only it.
// The context is shared by every frame of a batch: one reference count per
// frame instead of one per handle in it.
using shared_frame_context = std::shared_ptr<const frame_context>;
caf::actor spawn_frame_actor(caf::actor_system& system, frame f, shared_frame_context context);

// per_protocol: a long-lived worker that decides every frame sent to it and
// writes the replies itself to raw_binder's socket (the batches' own link's,
// or another link's a reply leaves on).
using decide_frame_atom = caf::atom_constant<caf::atom("decide")>;
caf::actor spawn_frame_worker(caf::actor_system& system, std::shared_ptr<reply_batches> replies);

} // namespace etherbeam::actors

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(etherbeam::actors::shared_frame_context)
