#include "actors/stack_counters.hpp"

#include <sstream>

namespace etherbeam::actors {

std::string stack_counters::render() const {
  std::ostringstream out;
  out << "frames_in=" << frames_in;
  auto put = [&](std::string_view name, const counter& c) {
    if (auto v = c.load()) out << ' ' << name << '=' << v;
  };
  put("oversize_frames", oversize_frames);
  put("ingress_receive_errors", ingress_receive_errors);
  put("replies_sent", replies_sent);
  put("replies_dropped_binder_absent", replies_dropped_binder_absent);
  put("replies_dropped_binder_busy", replies_dropped_binder_busy);
  put("reply_send_errors", reply_send_errors);
  put("replies_fragmented", replies_fragmented);
  put("replies_too_large", replies_too_large);
  put("frame_actor_failures", frame_actor_failures);
  put("actor_restarts", actor_restarts);
  put("frames_refused_untrusted_sender", frames_refused_untrusted_sender);
  put("overload.frames_dropped", overload_frames_dropped);
  named.render(out);
  return out.str();
}

} // namespace etherbeam::actors
