#include "actors/frame_tap.hpp"

#include <algorithm>
#include <optional>

namespace etherbeam::actors {

std::vector<tapped_frame> tap_listener::take() {
  std::vector<tapped_frame> taken;
  taken.reserve(capacity_.load()); // outside the lock: the data path may be waiting to offer
  std::lock_guard guard(lock_);
  taken.swap(queue_);
  queued_.store(0, std::memory_order_relaxed);
  return taken;
}

bool tap_listener::has_room() {
  if (queued_.load(std::memory_order_relaxed) < capacity_.load(std::memory_order_relaxed) && within_rate())
    return true;
  lost_.fetch_add(1, std::memory_order_relaxed);
  return false;
}

// Several data-path threads may race here: a window may let a few copies more
// or fewer through, never many, and nobody waits.
bool tap_listener::within_rate() {
  if (!per_window_) return true;
  constexpr std::int64_t window_ns = 1'000'000'000 / windows_per_second;
  auto now = std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now().time_since_epoch()).count();
  auto start = window_start_ns_.load(std::memory_order_relaxed);
  if (now - start >= window_ns && window_start_ns_.compare_exchange_strong(start, now, std::memory_order_relaxed))
    in_window_.store(0, std::memory_order_relaxed);
  return in_window_.fetch_add(1, std::memory_order_relaxed) < per_window_;
}

void tap_listener::give_back(std::vector<tapped_frame>&& used) {
  std::lock_guard guard(lock_);
  if (spare_.size() < used.size()) spare_.swap(used); // the larger set of buffers stays; the other is freed
}

void tap_listener::offer(std::chrono::system_clock::time_point at, link_index link, tap_direction direction,
                         protocols::byte_view frame) {
  std::unique_lock guard(lock_, std::try_to_lock);
  if (!guard.owns_lock() || queue_.size() >= capacity_) { // the listener is taking, or behind
    lost_.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  if (spare_.empty()) {
    queue_.push_back(tapped_frame{at, link, direction, {frame.begin(), frame.end()}});
  } else {
    auto& f = spare_.back();
    f.at = at;
    f.link = link;
    f.direction = direction;
    f.bytes.assign(frame.begin(), frame.end());
    queue_.push_back(std::move(f));
    spare_.pop_back();
  }
  queued_.store(queue_.size(), std::memory_order_relaxed);
}

frame_tap& frame_tap::of_process() {
  static frame_tap tap;
  return tap;
}

void frame_tap::copy(link_index link, tap_direction direction, protocols::byte_view frame) {
  if (!listening()) return;
  std::optional<std::chrono::system_clock::time_point> at; // read once, and only for a copy that is kept
  for (auto& slot : slots_) {
    auto* l = slot.load(std::memory_order_acquire);
    if (!l || !l->has_room()) continue;
    if (!at) at = std::chrono::system_clock::now();
    l->offer(*at, link, direction, frame);
  }
}

std::shared_ptr<tap_listener> frame_tap::listen(std::size_t capacity, std::size_t copies_per_second) {
  auto l = std::make_shared<tap_listener>(capacity, copies_per_second);
  std::lock_guard guard(change_);
  for (auto& slot : slots_) {
    if (slot.load()) continue;
    kept_.push_back(l);
    slot.store(l.get(), std::memory_order_release);
    listening_.store(true);
    return l;
  }
  return nullptr;
}

void frame_tap::stop(const std::shared_ptr<tap_listener>& listener) {
  if (!listener) return;
  std::lock_guard guard(change_);
  bool any = false;
  for (auto& slot : slots_) {
    if (slot.load() == listener.get()) slot.store(nullptr, std::memory_order_release);
    any |= slot.load() != nullptr;
  }
  listening_.store(any);
  std::lock_guard queue(listener->lock_);
  std::vector<tapped_frame>().swap(listener->queue_); // its memory back; the object stays in kept_
  std::vector<tapped_frame>().swap(listener->spare_);
  listener->capacity_.store(0);
}

} // namespace etherbeam::actors
