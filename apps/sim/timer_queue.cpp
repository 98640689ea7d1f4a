#include "apps/sim/timer_queue.hpp"

namespace etherbeam::apps::sim {

void timer_queue::arm(host_timer t) { heap_.push(t); }

std::vector<host_timer> timer_queue::take_due(sim_clock::time_point now) {
  std::vector<host_timer> due;
  while (!heap_.empty() && heap_.top().due <= now) {
    due.push_back(heap_.top());
    heap_.pop();
  }
  return due;
}

std::optional<sim_clock::time_point> timer_queue::next_due() const {
  if (heap_.empty()) return std::nullopt;
  return heap_.top().due;
}

} // namespace etherbeam::apps::sim
