#include "actors/stack_counters.hpp"

#include <sstream>

namespace etherbeam::actors {

void stack_counters::for_each_field(const std::function<void(std::string_view, const counter&)>& f) const {
  f("frames_in", frames_in);
  f("oversize_frames", oversize_frames);
  f("ingress_receive_errors", ingress_receive_errors);
  f("replies_sent", replies_sent);
  f("replies_dropped_binder_absent", replies_dropped_binder_absent);
  f("replies_dropped_binder_busy", replies_dropped_binder_busy);
  f("replies_waited_for_binder", replies_waited_for_binder);
  f("reply_send_errors", reply_send_errors);
  f("replies_fragmented", replies_fragmented);
  f("replies_too_large", replies_too_large);
  f("frame_actor_failures", frame_actor_failures);
  f("actor_restarts", actor_restarts);
  f("frames_refused_untrusted_sender", frames_refused_untrusted_sender);
  f("overload.frames_dropped", overload_frames_dropped);
  f("overload.ingress_paused", ingress_paused);
}

std::string stack_counters::render() const {
  std::ostringstream out;
  out << "frames_in=" << frames_in;
  for_each_field([&](std::string_view name, const counter& c) {
    if (auto v = c.load(); v && name != "frames_in") out << ' ' << name << '=' << v;
  });
  named.render(out);
  return out.str();
}

} // namespace etherbeam::actors
