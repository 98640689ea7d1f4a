#include "actors/frame_tap.hpp"

namespace etherbeam::actors {

frame_tap& frame_tap::of_process() {
  static frame_tap tap;
  return tap;
}

void frame_tap::copy(link_index link, tap_direction direction, protocols::byte_view frame) {
  if (!listening()) return;
  tapped_frame copied{std::chrono::system_clock::now(), link, direction, {frame.begin(), frame.end()}};
  std::unique_lock guard(lock_, std::try_to_lock);
  if (!guard.owns_lock() || queue_.size() >= capacity_) { // the listener is taking, or behind
    lost_.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  queue_.push_back(std::move(copied));
}

void frame_tap::listen(std::size_t capacity) {
  std::lock_guard guard(lock_);
  capacity_ = capacity;
  queue_.reserve(capacity);
  listening_.store(true);
}

std::vector<tapped_frame> frame_tap::take() {
  std::vector<tapped_frame> taken;
  taken.reserve(capacity_);
  std::lock_guard guard(lock_);
  taken.swap(queue_);
  return taken;
}

void frame_tap::stop() {
  listening_.store(false);
  std::lock_guard guard(lock_);
  queue_.clear();
}

} // namespace etherbeam::actors
