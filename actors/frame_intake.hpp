#pragma once
// What ingress does with each datagram it read: counts it, refuses the cut,
// the untrusted and those beyond the admission bound, and starts the frame's
// decision by the concurrency model. Fragments for us are put together
// first (fragment_reassembly), so a whole datagram costs one decision. Apart from ingress's blocking loop, so
// that it also runs under CAF's deterministic test coordinator.
#include <sys/socket.h>

#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "actors/fragment_reassembly.hpp"
#include "actors/frame_actor.hpp"
#include "actors/ingress.hpp"
#include "actors/reply_batch.hpp"
#include "ipc/sender_credentials.hpp"

namespace etherbeam::actors {

// A decider's own reply batches for the link `s` serves, and for the others
// when `s` knows them (a router's forwarded packets leave on those).
std::shared_ptr<reply_batches> replies_of(const ingress_settings& s);

class frame_intake {
public:
  // `pool`: per_protocol's workers (empty otherwise).
  frame_intake(caf::actor_system& system, const ingress_settings& settings, std::vector<caf::actor> pool);

  // Before each batch: who we are on the link now, and its current sender
  // (looked up per batch: a restarted sender registers anew).
  void begin_batch(std::shared_ptr<const stack_identity> identity);
  // One datagram, with its header (the sender's credentials) and whether it
  // was longer than the buffer and cut.
  void take(std::span<const std::uint8_t> bytes, const msghdr& header, bool truncated);
  // After each batch: inline writes the batch's replies, in one system call.
  void end_batch();
  // Sends the applications' announcements for `identity` to the link's sender.
  void announce(const stack_identity& identity);
  // Frames announce() has sent so far.
  std::uint64_t announced() const { return announced_; }
  // Ends reassemblies past their timeout (and says so to their sources).
  void expire_fragments(const stack_identity& identity);

private:
  caf::actor_system& system_;
  const ingress_settings& s_;
  ipc::trusted_senders senders_;
  std::vector<caf::actor> pool_;
  std::size_t next_worker_ = 0;
  frame_context context_;
  shared_frame_context shared_;
  std::shared_ptr<reassembly_counters> reassembly_counters_;
  fragment_reassembly fragments_;
  fragment_reassembly::clock::time_point batch_time_{};
  std::shared_ptr<reply_batches> own_replies_; // inline: replies written by ingress itself
  std::uint64_t announced_ = 0;
};

} // namespace etherbeam::actors
