#pragma once
// The admission bound of a stateful application's actor: how many messages
// may wait in its mailbox before new ones are refused (and counted) at the
// door, so that an actor that falls behind sheds load cheaply instead of
// growing a queue nobody will live to see answered.
#include <atomic>
#include <cstdint>

#include "actors/named_counters.hpp"

namespace etherbeam::actors {

class admission_gate {
public:
  admission_gate(std::int64_t limit, named_counter& refused) : limit_(limit), refused_(refused) {}

  // Takes a place, or counts a refusal and returns false.
  bool try_enter() {
    if (inside_.load(std::memory_order_relaxed) >= limit_) {
      ++refused_;
      return false;
    }
    inside_.fetch_add(1, std::memory_order_relaxed);
    return true;
  }
  // The actor took one message from its mailbox.
  void leave() { inside_.fetch_sub(1, std::memory_order_relaxed); }
  // A restarted actor: what waited for the old one died with it.
  void reset() { inside_.store(0, std::memory_order_relaxed); }
  std::int64_t inside() const { return inside_.load(std::memory_order_relaxed); }

private:
  std::atomic<std::int64_t> inside_{0};
  const std::int64_t limit_;
  named_counter& refused_;
};

} // namespace etherbeam::actors
