#pragma once
// Copies of the frames etherbeam takes in and sends out, for whoever listens
// (`--record`'s pcapng writer, `etherbeam decode --live`). The data path only
// copies while someone listens, and never waits: a copy that finds a
// listener's queue taken or full is lost to that listener and counted, and
// the frame goes on as if nobody listened.
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
  explicit tap_listener(std::size_t capacity) : capacity_(capacity) { queue_.reserve(capacity); }
  // What was copied since the last take.
  std::vector<tapped_frame> take();
  std::uint64_t lost() const { return lost_.load(std::memory_order_relaxed); }
  void offer(const tapped_frame& f); // the data path's side

private:
  std::mutex lock_;
  std::vector<tapped_frame> queue_;
  std::size_t capacity_;
  std::atomic<std::uint64_t> lost_{0};
};

class frame_tap {
public:
  // The process's tap, which ingress and the reply batches copy to.
  static frame_tap& of_process();

  bool listening() const { return listening_.load(std::memory_order_relaxed); }
  void copy(link_index link, tap_direction direction, protocols::byte_view frame);

  std::shared_ptr<tap_listener> listen(std::size_t capacity);
  void stop(const std::shared_ptr<tap_listener>& listener);

private:
  using listeners = std::vector<std::shared_ptr<tap_listener>>;
  std::atomic<bool> listening_{false};
  std::mutex change_;                                // listen and stop, one at a time
  std::atomic<std::shared_ptr<const listeners>> now_{std::make_shared<const listeners>()};
};

} // namespace etherbeam::actors
