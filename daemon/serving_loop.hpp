#pragma once
// The loop of a blocking actor that serves file descriptors (ingress, the
// binder's relay, the control socket): poll the descriptors, then look at the
// mailbox, but only when a message waits — a receive with a zero timeout cost
// ~100 us of the thread's time per round (measured), a ceiling on frames/s.
// An exit message ends the loop with its reason; a handler may end it too.
#include <chrono>
#include <utility>


#include <caf/after.hpp>
#include <caf/blocking_actor.hpp>
#include <caf/exit_reason.hpp>

namespace etherbeam::daemon {

class serving_loop {
public:
  explicit serving_loop(caf::blocking_actor* self) : self_(self) {}

  // Ends the loop after this round; the actor exits with `reason`.
  void stop(caf::error reason) {
    running_ = false;
    self_->fail_state(std::move(reason));
  }

  // Runs `serve_descriptors` (which polls, with a timeout that bounds how
  // long a waiting message waits) until stopped; messages go to `handlers`.
  template <class ServeDescriptors, class... Handlers>
  void run(ServeDescriptors&& serve_descriptors, const Handlers&... handlers) {
    while (running_) {
      serve_descriptors();
      if (self_->mailbox().empty()) continue;
      self_->receive([this](caf::exit_msg& msg) { stop(std::move(msg.reason)); },
                     handlers..., caf::after(std::chrono::seconds(0)) >> [] {});
    }
  }

private:
  caf::blocking_actor* self_;
  bool running_ = true;
};

} // namespace etherbeam::daemon
