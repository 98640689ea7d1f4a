#pragma once
// A thread-safe list of events that tests wait on, instead of sleeping: actors
// report into it from scheduler threads, the test thread awaits an entry.
#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <string>

namespace etherbeam::testing {

class event_log {
public:
  void push(std::string event) {
    {
      std::lock_guard lock{mutex_};
      events_.push_back(std::move(event));
    }
    changed_.notify_all();
  }

  // The next event, or nullopt if none arrives within `timeout`.
  std::optional<std::string> next(std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
    std::unique_lock lock{mutex_};
    if (!changed_.wait_for(lock, timeout, [&] { return !events_.empty(); })) return std::nullopt;
    auto e = std::move(events_.front());
    events_.pop_front();
    return e;
  }

  bool empty() {
    std::lock_guard lock{mutex_};
    return events_.empty();
  }

private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<std::string> events_;
};

} // namespace etherbeam::testing
