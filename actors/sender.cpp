#include "actors/sender.hpp"

#include <array>
#include <optional>

#include <caf/actor_registry.hpp>
#include <caf/actor_system.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <spdlog/spdlog.h>

#include "actors/registered_name.hpp"
#include "ipc/datagram_batch.hpp"
#include "ipc/socket_pair.hpp"

namespace etherbeam::actors {

namespace {

// Replies written with one sendmmsg at most this many at a time.
constexpr std::size_t max_batch = 64;

struct sender_state {
  std::unique_ptr<ipc::datagram_peer> binder;
  std::shared_ptr<stack_counters> counters;
  std::shared_ptr<link_counters> per_link;
  std::optional<ipc::send_failure_report> failures;
  bool binder_absent = false;
  std::vector<frame> pending;
  bool flush_queued = false;
  static inline const char* name = "sender";
};

using sender_pointer = sender_actor::stateful_pointer<sender_state>;

void flush(sender_pointer self) {
  auto& st = self->state;
  if (st.pending.empty()) return;
  std::array<std::span<const std::uint8_t>, max_batch> frames;
  for (std::size_t i = 0; i < st.pending.size(); ++i) frames[i] = st.pending[i].bytes();
  auto r = st.binder->send({frames.data(), st.pending.size()});
  st.pending.clear();
  st.counters->replies_sent += r.sent;
  st.counters->replies_dropped_binder_absent += r.peer_absent;
  st.counters->replies_dropped_binder_busy += r.peer_busy;
  st.counters->reply_send_errors += r.failed;
  st.failures->note(r);
  if (st.per_link) {
    st.per_link->replies_sent += r.sent;
    st.per_link->replies_dropped += r.peer_absent + r.peer_busy + r.failed;
  }
  bool absent = r.sent ? false : r.peer_absent ? true : st.binder_absent;
  if (absent != st.binder_absent) {
    st.binder_absent = absent;
    if (absent) spdlog::warn("raw_binder is not listening at {}; dropping replies until it is back",
                              st.binder->path().string());
    else spdlog::info("raw_binder is back at {}; sending replies", st.binder->path().string());
  }
}

sender_actor::behavior_type sender(sender_pointer self, std::filesystem::path binder,
                                   std::shared_ptr<stack_counters> counters,
                                   std::shared_ptr<link_counters> per_link) {
  auto& st = self->state;
  st.binder = std::make_unique<ipc::datagram_peer>(binder);
  st.failures.emplace("etherbeam", binder);
  st.counters = std::move(counters);
  st.per_link = std::move(per_link);
  st.pending.reserve(max_batch);
  return {
    // Replies are gathered while more wait in the mailbox and written
    // together: one system call for a burst instead of one per reply.
    [self](send_frame_atom, frame& f) {
      auto& st = self->state;
      st.pending.push_back(std::move(f));
      if (st.pending.size() >= max_batch) {
        flush(self);
      } else if (!st.flush_queued) {
        st.flush_queued = true;
        self->send(self, flush_atom::value);
      }
    },
    [self](flush_atom) {
      self->state.flush_queued = false;
      flush(self);
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
