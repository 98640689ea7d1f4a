#pragma once
// Counters for everything the logic server does with frames: the runtime's
// own (frames in, replies out, admission, failures) as fields, and what the
// dispatcher and each application count in `named`. Plain atomics, shared by
// the actors that bump them: a message per increment would cost more than
// the work being counted.
#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "actors/named_counters.hpp"

namespace etherbeam::actors {

struct stack_counters {
  counter frames_in{0};
  counter oversize_frames{0};       // datagrams larger than the ingress buffer
  counter frames_refused_untrusted_sender{0}; // from neither raw_binder's user, root nor our own
  counter ingress_receive_errors{0};
  counter replies_sent{0};          // handed to the binder's socket
  counter replies_dropped_binder_absent{0};
  counter replies_dropped_binder_busy{0};
  counter replies_waited_for_binder{0}; // raw_binder's queue was full and room came in time
  counter reply_send_errors{0};
  counter replies_fragmented{0};    // longer than the link MTU: sent as fragments
  counter replies_too_large{0};     // longer than the MTU and not fragmentable (DF): dropped
  counter frame_actor_failures{0};  // per-frame actors that threw
  counter actor_restarts{0};        // long-lived actors restarted by a supervisor
  // Admission (queue_limits): frames being decided now, and what was refused.
  std::atomic<std::int64_t> frames_in_flight{0};
  counter overload_frames_dropped{0}; // too many frames being decided already
  counter ingress_paused{0};          // times ingress left frames in the socket, the bound reached
  // Verdicts (reply.*, ignored.*, malformed.*) and applications' own counters.
  counter_registry named;

  // "name=value ..." for every counter that is not zero (and frames_in always).
  std::string render() const;
  // The runtime's own counters by the names render() gives them.
  void for_each_field(const std::function<void(std::string_view name, const counter&)>& f) const;
};

} // namespace etherbeam::actors
