#pragma once
// Replies on their way to raw_binder, written with one sendmmsg per burst.
// The sender actor owns one per link; a decider that runs long enough to see
// a burst (inline ingress, a per-protocol worker) owns its own and writes its
// replies itself: a hand-off to the sender is a mailbox and a thread's
// wake-up per reply, where the batch is a copy of a pointer.
#include <deque>
#include <filesystem>
#include <memory>
#include <optional>
#include <vector>

#include "actors/frame.hpp"
#include "actors/link.hpp"
#include "actors/link_directory.hpp"
#include "actors/stack_counters.hpp"
#include "ipc/datagram_batch.hpp"

namespace etherbeam::actors {

class reply_batch {
public:
  static constexpr std::size_t capacity = ipc::outgoing_messages::capacity;

  // `binder`: the path raw_binder's socket is bound at; the counters are
  // shared with every other writer to that link.
  reply_batch(std::filesystem::path binder, std::shared_ptr<stack_counters> counters,
              std::shared_ptr<link_counters> per_link);

  // Holds `f` until flush(); writes the batch at once when it is full.
  void add(frame f);
  // Writes what is held; what raw_binder cannot take within a few
  // milliseconds is counted and dropped (the writer is a decider: while it
  // waits, no frame is decided).
  void flush();
  bool empty() const { return pending_.empty() && held_.empty(); }

  // The sender's way, which has nothing else to do meanwhile: what raw_binder
  // cannot take now is kept, in order, before anything added later — up to
  // `hold_limit` frames; beyond, the newest are dropped and counted — and
  // written at the next call. Never waits. Returns whether frames are still
  // kept (call again soon).
  bool flush_holding();
  static constexpr std::size_t hold_limit = 4096;
  // From now on a full batch is written by flush_holding(), not flush().
  void hold_when_busy() { holding_ = true; }

private:
  ipc::datagram_peer binder_;
  std::shared_ptr<stack_counters> counters_;
  std::shared_ptr<link_counters> per_link_;
  ipc::send_failure_report failures_;
  bool binder_absent_ = false;
  void count(const ipc::batch_send_result& r, bool holding);
  std::vector<frame> pending_;
  std::deque<frame> held_; // flush_holding()'s, oldest first
  bool holding_ = false;
};

// A decider's own batches (inline ingress, a per-protocol worker): its link's,
// and, once a frame leaves on another link (a router's forwarded packet),
// that link's too, made on first use: the frame then goes from the thread
// that decided it straight to the other raw_binder, as a reply does, with no
// hand-off to the other link's sender.
class reply_batches {
public:
  // `links` and `every_link` (per-link counters, by link index) empty: only
  // the own link's batch; a frame for another link is then handed to that
  // link's sender.
  reply_batches(link_index own, std::filesystem::path binder, std::shared_ptr<stack_counters> counters,
                std::shared_ptr<link_counters> per_link, std::shared_ptr<const link_directory> links = nullptr,
                std::vector<std::shared_ptr<link_counters>> every_link = {});

  reply_batch& own() { return *batches_[own_]; }
  // The batch for `link`; null when it cannot be written from here.
  reply_batch* to(link_index link);
  void flush();
  bool empty() const;

private:
  link_index own_;
  std::shared_ptr<stack_counters> counters_;
  std::shared_ptr<const link_directory> links_;
  std::vector<std::shared_ptr<link_counters>> every_link_;
  std::vector<std::unique_ptr<reply_batch>> batches_; // by link; null until used
};

} // namespace etherbeam::actors
