#include "actors/reply_batch.hpp"

#include <array>

#include <spdlog/spdlog.h>

namespace etherbeam::actors {

namespace {

// A reply is finished work: while raw_binder's queue is full the writer
// waits for room (raw_binder reads replies before frames) rather than drop
// it. The wait holds the writer, inline ingress above all, so etherbeam
// reads fewer frames and raw_binder's rings shed the excess, before any
// work is done on it. Bounded, so a raw_binder that has stopped reading
// costs a writer at most this per batch.
constexpr auto room_wait = std::chrono::milliseconds(5);

} // namespace

reply_batch::reply_batch(std::filesystem::path binder, std::shared_ptr<stack_counters> counters,
                         std::shared_ptr<link_counters> per_link)
    : binder_(binder), counters_(std::move(counters)), per_link_(std::move(per_link)), failures_("etherbeam", binder) {
  pending_.reserve(capacity);
}

void reply_batch::add(frame f) {
  pending_.push_back(std::move(f));
  if (pending_.size() >= capacity) flush();
}

void reply_batch::flush() {
  if (pending_.empty()) return;
  std::array<std::span<const std::uint8_t>, capacity> frames;
  for (std::size_t i = 0; i < pending_.size(); ++i) frames[i] = pending_[i].bytes();
  auto r = binder_.send({frames.data(), pending_.size()}, room_wait);
  pending_.clear();
  counters_->replies_sent += r.sent;
  counters_->replies_dropped_binder_absent += r.peer_absent;
  counters_->replies_dropped_binder_busy += r.peer_busy;
  counters_->replies_waited_for_binder += r.waits;
  counters_->reply_send_errors += r.failed;
  failures_.note(r);
  if (per_link_) {
    per_link_->replies_sent += r.sent;
    per_link_->replies_dropped += r.peer_absent + r.peer_busy + r.failed;
  }
  bool absent = r.sent ? false : r.peer_absent ? true : binder_absent_;
  if (absent == binder_absent_) return;
  binder_absent_ = absent;
  if (absent) spdlog::warn("raw_binder is not listening at {}; dropping replies until it is back", binder_.path().string());
  else spdlog::info("raw_binder is back at {}; sending replies", binder_.path().string());
}

} // namespace etherbeam::actors
