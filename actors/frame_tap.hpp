#pragma once
// Copies of the frames etherbeam takes in and sends out, for whoever listens
// (`--record`'s pcapng writer, `etherbeam decode --live`). The data path only
// copies while someone listens, and never waits: a copy that finds a
// listener's queue taken or full is lost to that listener and counted, and
// the frame goes on as if nobody listened. A listener may also ask for no
// more than so many copies a second (a person reading a live decode): past
// that, the data path does not copy at all until the next tenth of a second,
// and the copies not made are counted lost too.
#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "actors/link_index.hpp"
#include "protocols/bytes.hpp"

namespace etherbeam::actors {

enum class tap_direction : std::uint8_t { in, out };

struct tapped_frame {
  std::chrono::system_clock::time_point at;
  link_index link = 0;
  tap_direction direction = tap_direction::in;
  std::vector<std::uint8_t> bytes;
};

class tap_listener {
public:
  // copies_per_second 0: as many as the queue holds.
  explicit tap_listener(std::size_t capacity, std::size_t copies_per_second = 0)
      : capacity_(capacity),
        per_window_(copies_per_second ? std::max<std::size_t>(copies_per_second / windows_per_second, 1) : 0) {
    queue_.reserve(capacity);
  }
  tap_listener(const tap_listener&) = delete;
  tap_listener& operator=(const tap_listener&) = delete;
  // What was copied since the last take.
  std::vector<tapped_frame> take();
  // Taken copies, done with: their buffers hold the next copies, so that the
  // data path copies into memory it already has instead of allocating.
  void give_back(std::vector<tapped_frame>&& used);
  std::uint64_t lost() const { return lost_.load(std::memory_order_relaxed); }
  // The data path's side: false when the listener has no room, or has had
  // its copies for this tenth of a second (counted lost).
  bool has_room();
  void offer(std::chrono::system_clock::time_point at, link_index link, tap_direction direction,
             protocols::byte_view frame);

private:
  friend class frame_tap;
  static constexpr std::size_t windows_per_second = 10;
  bool within_rate();

  std::mutex lock_;
  std::vector<tapped_frame> queue_;
  std::vector<tapped_frame> spare_; // given back: buffers to copy into
  std::atomic<std::size_t> capacity_;
  std::atomic<std::size_t> queued_{0}; // read without the lock, to skip a copy that could not be kept
  std::atomic<std::uint64_t> lost_{0};
  // The rate: copies allowed per window, 0 for no limit; the current window's
  // start (steady clock, ns) and the copies it has let through.
  const std::size_t per_window_;
  std::atomic<std::int64_t> window_start_ns_{0};
  std::atomic<std::size_t> in_window_{0};
};

class frame_tap {
public:
  // The process's tap, which ingress and the reply batches copy to.
  static frame_tap& of_process();

  bool listening() const { return listening_.load(std::memory_order_relaxed); }
  void copy(link_index link, tap_direction direction, protocols::byte_view frame);

  // Null when max_listeners already listen. copies_per_second 0: no limit.
  std::shared_ptr<tap_listener> listen(std::size_t capacity, std::size_t copies_per_second = 0);
  void stop(const std::shared_ptr<tap_listener>& listener);

private:
  // Slots the data path reads without a lock or a reference count; a
  // listener that stops leaves its slot, and is kept (its queue freed) in
  // `kept_` so that a copy still reaching for it finds it alive.
  static constexpr std::size_t max_listeners = 8;
  std::atomic<bool> listening_{false};
  std::array<std::atomic<tap_listener*>, max_listeners> slots_{};
  std::mutex change_; // listen and stop, one at a time
  std::vector<std::shared_ptr<tap_listener>> kept_;
};

} // namespace etherbeam::actors
