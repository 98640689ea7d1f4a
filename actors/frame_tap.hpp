#pragma once
// Copies of the frames etherbeam takes in and sends out, for whoever listens
// (`--record`'s pcapng writer). The data path only copies while someone
// listens, never waits: a copy that finds the queue taken or full is lost and
// counted (tap.lost), and the frame goes on as if nobody listened.
#include <atomic>
#include <chrono>
#include <cstdint>
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

class frame_tap {
public:
  // The process's tap, which ingress and the reply batches copy to.
  static frame_tap& of_process();

  bool listening() const { return listening_.load(std::memory_order_relaxed); }
  void copy(link_index link, tap_direction direction, protocols::byte_view frame);

  // One listener at a time: starts copies, takes them, stops them.
  void listen(std::size_t capacity);
  std::vector<tapped_frame> take();
  void stop();
  std::uint64_t lost() const { return lost_.load(std::memory_order_relaxed); }

private:
  std::atomic<bool> listening_{false};
  std::atomic<std::uint64_t> lost_{0};
  std::mutex lock_;
  std::vector<tapped_frame> queue_;
  std::size_t capacity_ = 0;
};

} // namespace etherbeam::actors
