#include "actors/reinjection.hpp"

#include <caf/actor_cast.hpp>
#include <caf/actor_system.hpp>

#include "actors/frame_actor.hpp"
#include "actors/link.hpp"

namespace etherbeam::actors {

frame_reinjection::frame_reinjection(caf::actor_system& system, std::shared_ptr<const link_directory> links,
                                     std::shared_ptr<stack_counters> counters)
    : system_(system), links_(std::move(links)), counters_(std::move(counters)) {}

void frame_reinjection::set_dispatcher(std::shared_ptr<const dispatcher> dispatch) { dispatch_.store(std::move(dispatch)); }

namespace {

frame_context context_of(caf::actor_system& system, const link_directory& links, std::shared_ptr<stack_counters> c,
                         std::shared_ptr<const dispatcher> dispatch, link_index link) {
  frame_context ctx;
  ctx.identity = links.identity(link);
  ctx.counters = std::move(c);
  ctx.sender = caf::actor_cast<sender_actor>(system.registry().get(sender_name(link)));
  ctx.dispatch = std::move(dispatch);
  ctx.link = link;
  ctx.system = &system;
  return ctx;
}

} // namespace

void frame_reinjection::resume(link_index link, const frame& f, const frame_decider* stage,
                               caf::execution_unit* here) const {
  auto dispatch = dispatch_.load();
  if (!dispatch) return; // not yet serving: nothing was handed off
  resume_frame(f.bytes(), context_of(system_, *links_, counters_, std::move(dispatch), link), stage, here);
}

void frame_reinjection::finish(link_index link, const verdict& v, frame reply, caf::execution_unit* here) const {
  finish_frame(v, std::move(reply), context_of(system_, *links_, counters_, dispatch_.load(), link), here);
}

} // namespace etherbeam::actors
