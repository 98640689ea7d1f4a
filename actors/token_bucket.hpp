#pragma once
// A token bucket, as Linux limits the ICMP errors it sends: `rate` a second,
// up to `burst` at once. Shared by deciders on many threads: take() locks,
// and is called only on the paths that would send an error.
#include <algorithm>
#include <chrono>
#include <mutex>

namespace etherbeam::actors {

class token_bucket {
public:
  token_bucket(double rate, double burst) : rate_(rate), burst_(burst), tokens_(burst) {}

  bool take() {
    std::lock_guard lock{mutex_};
    auto now = std::chrono::steady_clock::now();
    tokens_ = std::min(burst_, tokens_ + rate_ * std::chrono::duration<double>(now - last_).count());
    last_ = now;
    if (tokens_ < 1) return false;
    tokens_ -= 1;
    return true;
  }

private:
  const double rate_, burst_;
  std::mutex mutex_;
  double tokens_;
  std::chrono::steady_clock::time_point last_ = std::chrono::steady_clock::now();
};

} // namespace etherbeam::actors
