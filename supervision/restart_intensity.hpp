#pragma once
// OTP's restart intensity: at most `max_restarts` within `period`, else the
// supervisor gives up and escalates. Pure, so it is tested without actors.
#include <chrono>
#include <cstddef>
#include <deque>

namespace etherbeam::supervision {

struct restart_intensity {
  std::size_t max_restarts = 3;
  std::chrono::milliseconds period{5000};
};

class restart_window {
public:
  using clock = std::chrono::steady_clock;

  explicit restart_window(restart_intensity limit) : limit_(limit) {}
  // Records one restart at `now`; false when it exceeds the intensity.
  bool admit(clock::time_point now);
  std::size_t recent() const { return times_.size(); }

private:
  restart_intensity limit_;
  std::deque<clock::time_point> times_;
};

} // namespace etherbeam::supervision
