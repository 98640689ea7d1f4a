#include "supervision/restart_intensity.hpp"

namespace etherbeam::supervision {

bool restart_window::admit(clock::time_point now) {
  while (!times_.empty() && now - times_.front() >= limit_.period) times_.pop_front();
  times_.push_back(now);
  return times_.size() <= limit_.max_restarts;
}

} // namespace etherbeam::supervision
