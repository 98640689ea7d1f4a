#pragma once
// Says when a subnet's pools run low: once when the share of addresses in
// use (leased, or held back after a DECLINE) reaches the threshold, once more
// when it has fallen 5 points below it — an episode each, never a line per
// request. Pure: the lease manager feeds it what it counted.
#include <cstdint>
#include <string>
#include <vector>

namespace etherbeam::apps::dhcp {

struct pool_use {
  std::uint64_t total = 0, assigned = 0, declined = 0;
  double used_percent() const { return total ? 100.0 * double(assigned + declined) / double(total) : 0; }
};

class pool_watch {
public:
  // `threshold_percent` 0: never warn.
  explicit pool_watch(unsigned threshold_percent) : threshold_(threshold_percent) {}

  // `on_high(i)` when subnet i passes the threshold, `on_back(i)` when it is
  // well below it again.
  template <class High, class Back> void check(const std::vector<pool_use>& use, High&& on_high, Back&& on_back) {
    if (threshold_ == 0) return;
    high_.resize(use.size());
    for (std::size_t i = 0; i < use.size(); ++i) {
      auto percent = use[i].used_percent();
      if (!high_[i] && use[i].total && percent >= threshold_) {
        high_[i] = true;
        on_high(i);
      } else if (high_[i] && percent < double(threshold_) - 5) {
        high_[i] = false;
        on_back(i);
      }
    }
  }

private:
  unsigned threshold_;
  std::vector<bool> high_;
};

} // namespace etherbeam::apps::dhcp
