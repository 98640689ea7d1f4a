#pragma once
// The ingress actor: the one place frames enter the logic server. It reads
// datagrams from the socket raw_binder sends to and starts a frame actor for
// each. Reading blocks, so it is a blocking actor on a thread of its own and
// never holds up the cooperative scheduler.
#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <memory>
#include <vector>

#include "actors/fragment_reassembly.hpp"
#include "actors/frame_actor.hpp"
#include "actors/link.hpp"
#include "actors/link_directory.hpp"
#include "actors/queue_limits.hpp"
#include "actors/stack_identity.hpp"

namespace caf {
class actor;
class actor_system;
}

namespace etherbeam::actors {

struct ingress_settings {
  int socket = -1; // bound datagram socket; owned by the caller so it outlives restarts
  link_index link = 0;
  std::shared_ptr<link_counters> per_link;
  stack_identity identity;
  // Where raw_binder says which MAC the interface has; read while
  // identity.mac is not configured, and again whenever the file changes.
  std::filesystem::path link_file;
  // raw_binder's socket, where inline ingress and per_protocol's workers
  // write their replies themselves (per_frame's go through the sender).
  std::filesystem::path binder_socket;
  std::shared_ptr<stack_counters> counters;
  // Made at start with the other counters; null: the intake makes its own.
  std::shared_ptr<reassembly_counters> reassembly;
  protocols::reassembly_limits reassembly_limits;
  std::shared_ptr<const dispatcher> dispatch;
  frame_handler handler = dispatch_frame;
  queue_limits limits;
  concurrency_model model = concurrency_model::per_frame;
  std::size_t workers = 2; // per_protocol: stateless workers in the pool
  int io_batch = 64;       // datagrams read per wake-up
  // After a batch, how long to keep reading before sleeping in poll again:
  // spinning only while traffic flows, never at idle (zero: never).
  std::chrono::microseconds busy_poll{0};
  // raw_binder's user when it is not root or etherbeam's own: the only other
  // sender whose frames are taken (the socket is SO_PASSCRED).
  std::optional<uid_t> binder_user;
  // Where the identity learned from the link file is published for
  // applications that act across links (null: nobody asks).
  std::shared_ptr<link_directory> directory;
  // Every link's counters, by link index, with `directory`: inline ingress
  // and per_protocol's workers then write a reply that leaves on another
  // link (a router's) to that link's raw_binder themselves.
  std::vector<std::shared_ptr<link_counters>> every_link;
};

caf::actor spawn_ingress(caf::actor_system& system, ingress_settings settings);

} // namespace etherbeam::actors
