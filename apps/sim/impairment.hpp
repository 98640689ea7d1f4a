#pragma once
// A bad link for a group of simulated hosts, as Linux's netem makes one:
// each frame a host sends or receives may be lost, duplicated, delayed (with
// jitter) or held back so that later frames pass it. Pure: the plan for one
// frame from the group's settings and the host's random state.
#include <array>
#include <chrono>
#include <cstdint>

namespace etherbeam::apps::sim {

struct impairment {
  double loss_percent = 0, duplicate_percent = 0, reorder_percent = 0;
  std::chrono::milliseconds delay{0}, jitter{0};
  bool any() const {
    return loss_percent > 0 || duplicate_percent > 0 || reorder_percent > 0 || delay.count() > 0 || jitter.count() > 0;
  }
};

// What becomes of one frame: `copies` (0 lost, 1, or 2 duplicated), each after its delay.
struct frame_plan {
  std::uint8_t copies = 1;
  std::array<std::chrono::milliseconds, 2> after{};
};

frame_plan plan_frame(const impairment& link, std::uint64_t& random);

} // namespace etherbeam::apps::sim
