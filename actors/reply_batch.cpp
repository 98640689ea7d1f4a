#include "actors/reply_batch.hpp"

#include <algorithm>
#include <array>

#include <spdlog/spdlog.h>

#include "actors/frame_tap.hpp"

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
  auto& tap = frame_tap::of_process();
  if (tap.listening()) tap.copy(per_link_ ? per_link_->link : 0, tap_direction::out, f.bytes());
  pending_.push_back(std::move(f));
  if (pending_.size() < capacity) return;
  if (holding_) flush_holding();
  else flush();
}

void reply_batch::flush() {
  if (pending_.empty()) return;
  std::array<std::span<const std::uint8_t>, capacity> frames;
  for (std::size_t i = 0; i < pending_.size(); ++i) frames[i] = pending_[i].bytes();
  auto r = binder_.send({frames.data(), pending_.size()}, room_wait);
  pending_.clear();
  count(r, false);
}

bool reply_batch::flush_holding() {
  for (auto& f : pending_) held_.push_back(std::move(f));
  pending_.clear();
  if (held_.size() > hold_limit) {
    auto over = held_.size() - hold_limit;
    held_.resize(hold_limit); // the newest go: the oldest are what the receiver waits for
    ipc::batch_send_result dropped;
    dropped.peer_busy = over;
    count(dropped, false);
  }
  std::array<std::span<const std::uint8_t>, capacity> frames;
  while (!held_.empty()) {
    std::size_t n = std::min(held_.size(), capacity);
    for (std::size_t i = 0; i < n; ++i) frames[i] = held_[i].bytes();
    auto r = binder_.send({frames.data(), n}, std::chrono::milliseconds(0));
    held_.erase(held_.begin(), held_.begin() + static_cast<std::ptrdiff_t>(r.sent + r.failed));
    if (r.peer_absent) held_.erase(held_.begin(), held_.begin() + static_cast<std::ptrdiff_t>(r.peer_absent));
    count(r, true);
    if (r.peer_busy) return true; // no room now: kept, in order
  }
  return false;
}

void reply_batch::count(const ipc::batch_send_result& r, bool holding) {
  counters_->replies_sent += r.sent;
  counters_->replies_dropped_binder_absent += r.peer_absent;
  if (!holding) counters_->replies_dropped_binder_busy += r.peer_busy;
  else if (r.peer_busy) ++counters_->replies_waited_for_binder;
  counters_->replies_waited_for_binder += r.waits;
  counters_->reply_send_errors += r.failed;
  failures_.note(r);
  if (per_link_) {
    per_link_->replies_sent += r.sent;
    per_link_->replies_dropped += r.peer_absent + (holding ? 0 : r.peer_busy) + r.failed;
  }
  bool absent = r.sent ? false : r.peer_absent ? true : binder_absent_;
  if (absent == binder_absent_) return;
  binder_absent_ = absent;
  if (absent) spdlog::warn("raw_binder is not listening at {}; dropping replies until it is back", binder_.path().string());
  else spdlog::info("raw_binder is back at {}; sending replies", binder_.path().string());
}

reply_batches::reply_batches(link_index own, std::filesystem::path binder, std::shared_ptr<stack_counters> counters,
                             std::shared_ptr<link_counters> per_link, std::shared_ptr<const link_directory> links,
                             std::vector<std::shared_ptr<link_counters>> every_link)
    : own_(own), counters_(counters), links_(std::move(links)), every_link_(std::move(every_link)),
      batches_(std::max<std::size_t>(own + 1, links_ ? links_->size() : 0)) {
  batches_[own_] = std::make_unique<reply_batch>(std::move(binder), std::move(counters), std::move(per_link));
}

reply_batch* reply_batches::to(link_index link) {
  if (link >= batches_.size()) return nullptr;
  if (!batches_[link]) {
    if (!links_ || link >= every_link_.size() || !every_link_[link]) return nullptr;
    batches_[link] = std::make_unique<reply_batch>(links_->at(link).binder_socket, counters_, every_link_[link]);
  }
  return batches_[link].get();
}

void reply_batches::flush() {
  for (auto& b : batches_)
    if (b) b->flush();
}

bool reply_batches::empty() const {
  for (const auto& b : batches_)
    if (b && !b->empty()) return false;
  return true;
}

} // namespace etherbeam::actors
