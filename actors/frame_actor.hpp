#pragma once
// The BEAM "process per frame": every frame gets a short-lived actor that
// decodes it, decides, hands any reply to the sender, and ends. A frame that
// makes its actor throw kills only that actor, and is counted.
#include <memory>

#include "actors/messages.hpp"
#include "actors/queue_limits.hpp"
#include "actors/responder.hpp"
#include "actors/stack_counters.hpp"

namespace caf {
class actor_system;
}

namespace etherbeam::actors {

using frame_handler = verdict (*)(protocols::byte_view frame, const stack_identity& me,
                                  protocols::byte_buffer reply, dhcp_inbound* dhcp);

// What a frame actor needs besides its frame; shared by all of them.
struct frame_context {
  std::shared_ptr<const stack_identity> identity;
  std::shared_ptr<stack_counters> counters;
  sender_actor sender;
  lease_manager_actor lease_manager; // null while it restarts
  bool serve_dhcp = false;
  std::int64_t max_dhcp_backlog = queue_limits{}.dhcp_backlog;
  frame_handler handler = respond; // replaced in tests by handlers that fail
};

caf::actor spawn_frame_actor(caf::actor_system& system, frame f, const frame_context& context);

} // namespace etherbeam::actors
