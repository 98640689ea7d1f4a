#include "actors/sender.hpp"

#include <caf/actor_registry.hpp>
#include <caf/actor_system.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <spdlog/spdlog.h>

#include "actors/registered_name.hpp"
#include "binder/socket_pair.hpp"

namespace etherbeam::actors {

namespace {

struct sender_state {
  ipc::unique_fd socket;
  sockaddr_un binder{};
  std::shared_ptr<stack_counters> counters;
  bool binder_absent = false;
  static inline const char* name = "sender";
};

sender_actor::behavior_type sender(sender_actor::stateful_pointer<sender_state> self,
                                   sockaddr_un binder, std::shared_ptr<stack_counters> counters) {
  auto& st = self->state;
  st.socket = ipc::open_datagram_socket();
  st.binder = binder;
  st.counters = std::move(counters);
  return {
    [self](send_frame_atom, const frame& f) {
      auto& st = self->state;
      auto status = ipc::send_datagram(st.socket.get(), st.binder, f.bytes);
      switch (status) {
        case ipc::send_status::sent: ++st.counters->replies_sent; break;
        case ipc::send_status::peer_absent: ++st.counters->replies_dropped_binder_absent; break;
        case ipc::send_status::peer_busy: ++st.counters->replies_dropped_binder_busy; break;
        case ipc::send_status::failed: ++st.counters->reply_send_errors; break;
      }
      bool absent = status == ipc::send_status::peer_absent;
      if (absent != st.binder_absent) {
        st.binder_absent = absent;
        if (absent) spdlog::warn("raw_binder is not listening; dropping replies until it is back");
        else spdlog::info("raw_binder is back; sending replies");
      }
    },
    [self](inject_fault_atom) {
      spdlog::warn("sender: fault injected, failing on purpose");
      self->quit(caf::sec::runtime_error);
    },
  };
}

} // namespace

sender_actor spawn_sender(caf::actor_system& system, sockaddr_un binder,
                          std::shared_ptr<stack_counters> counters) {
  auto actor = system.spawn(sender, binder, std::move(counters));
  // Registered here rather than in the actor's init, which runs later on a
  // scheduler thread: whoever asks after a restart must find the new sender.
  register_as(system, sender_registry_name, caf::actor_cast<caf::actor>(actor));
  return actor;
}

} // namespace etherbeam::actors
