#pragma once
// The way back into the frame path for a stage that decides in actors of its
// own. The firewall's flow actors are such a stage: the stage hands each frame
// to the actor that owns its flow (verdict handed_off) and that actor, once it
// has judged, gives the frame back here, as a program behind netfilter's
// NFQUEUE gives a packet back to the kernel: dispatch resumes at the stage
// after it, and whatever comes of the frame is counted and answered as for a
// frame just arrived on its link. Built before the applications start; the
// dispatcher, made from their registrations, is set once it exists.
#include <atomic>
#include <memory>

#include "actors/frame.hpp"
#include "actors/link_directory.hpp"
#include "actors/registration.hpp"
#include "actors/stack_counters.hpp"

namespace caf {
class actor_system;
class execution_unit;
}

namespace etherbeam::actors {

class dispatcher;

class frame_reinjection {
public:
  frame_reinjection(caf::actor_system& system, std::shared_ptr<const link_directory> links,
                    std::shared_ptr<stack_counters> counters);
  void set_dispatcher(std::shared_ptr<const dispatcher> dispatch);

  // `f`, which came in on `link`, goes on after `stage`.
  void resume(link_index link, const frame& f, const frame_decider* stage, caf::execution_unit* here) const;
  // `v`, reached by the stage's actor for a frame of `link`: counted, and a
  // reply (the first v.reply_len bytes of `reply`) sent on that link.
  void finish(link_index link, const verdict& v, frame reply, caf::execution_unit* here) const;

private:
  caf::actor_system& system_;
  std::shared_ptr<const link_directory> links_;
  std::shared_ptr<stack_counters> counters_;
  std::atomic<std::shared_ptr<const dispatcher>> dispatch_;
};

} // namespace etherbeam::actors
