#include "actors/frame_tap.hpp"

#include <algorithm>

namespace etherbeam::actors {

std::vector<tapped_frame> tap_listener::take() {
  std::vector<tapped_frame> taken;
  taken.reserve(capacity_); // outside the lock: the data path may be waiting to offer
  std::lock_guard guard(lock_);
  taken.swap(queue_);
  return taken;
}

void tap_listener::offer(const tapped_frame& f) {
  tapped_frame copied = f; // allocated before the lock
  std::unique_lock guard(lock_, std::try_to_lock);
  if (!guard.owns_lock() || queue_.size() >= capacity_) { // the listener is taking, or behind
    lost_.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  queue_.push_back(std::move(copied));
}

frame_tap& frame_tap::of_process() {
  static frame_tap tap;
  return tap;
}

void frame_tap::copy(link_index link, tap_direction direction, protocols::byte_view frame) {
  if (!listening()) return;
  auto now = now_.load();
  tapped_frame f{std::chrono::system_clock::now(), link, direction, {frame.begin(), frame.end()}};
  for (const auto& l : *now) l->offer(f);
}

std::shared_ptr<tap_listener> frame_tap::listen(std::size_t capacity) {
  auto l = std::make_shared<tap_listener>(capacity);
  std::lock_guard guard(change_);
  auto next = std::make_shared<listeners>(*now_.load());
  next->push_back(l);
  now_.store(std::move(next));
  listening_.store(true);
  return l;
}

void frame_tap::stop(const std::shared_ptr<tap_listener>& listener) {
  std::lock_guard guard(change_);
  auto next = std::make_shared<listeners>(*now_.load());
  std::erase(*next, listener);
  listening_.store(!next->empty());
  now_.store(std::move(next));
}

} // namespace etherbeam::actors
