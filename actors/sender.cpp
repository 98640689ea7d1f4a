#include "actors/sender.hpp"

#include <optional>

#include <caf/actor_registry.hpp>
#include <caf/actor_system.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <spdlog/spdlog.h>

#include "actors/registered_name.hpp"
#include "actors/reply_batch.hpp"

namespace etherbeam::actors {

namespace {

// How soon the sender tries again to write what raw_binder had no room for.
constexpr auto retry_held = std::chrono::microseconds(500);

struct sender_state {
  std::optional<reply_batch> replies;
  bool flush_queued = false;
  static inline const char* name = "sender";
};

using sender_pointer = sender_actor::stateful_pointer<sender_state>;

sender_actor::behavior_type sender(sender_pointer self, std::filesystem::path binder,
                                   std::shared_ptr<stack_counters> counters,
                                   std::shared_ptr<link_counters> per_link) {
  self->state.replies.emplace(binder, std::move(counters), std::move(per_link));
  // The sender has nothing else to do while raw_binder is busy: it keeps the
  // replies (a TCP sender's ACKs among them) rather than drop them after a wait.
  self->state.replies->hold_when_busy();
  return {
    // Replies are gathered while more wait in the mailbox and written
    // together: one system call for a burst instead of one per reply.
    [self](send_frame_atom, frame& f) {
      auto& st = self->state;
      st.replies->add(std::move(f));
      if (!st.replies->empty() && !st.flush_queued) {
        st.flush_queued = true;
        self->send(self, flush_atom::value);
      }
    },
    [self](flush_atom) {
      auto& st = self->state;
      st.flush_queued = false;
      if (!st.replies->flush_holding()) return;
      st.flush_queued = true; // raw_binder had no room: again shortly, before anything newer
      self->delayed_send(self, retry_held, flush_atom::value);
    },
    [self](inject_fault_atom) {
      spdlog::warn("sender: fault injected, failing on purpose");
      self->quit(caf::sec::runtime_error);
    },
  };
}

} // namespace

sender_actor spawn_sender(caf::actor_system& system, std::filesystem::path binder,
                          std::shared_ptr<stack_counters> counters, link_index link,
                          std::shared_ptr<link_counters> per_link) {
  auto actor = system.spawn(sender, binder, std::move(counters), std::move(per_link));
  // Registered here rather than in the actor's init, which runs later on a
  // scheduler thread: whoever asks after a restart must find the new sender.
  register_as(system, sender_name(link), caf::actor_cast<caf::actor>(actor));
  return actor;
}

} // namespace etherbeam::actors
