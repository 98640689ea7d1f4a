#pragma once
// The simulated hosts' timers, kept by one actor instead of CAF's clock.
// CAF 0.17's clock takes a lock and wakes its thread for every delayed
// message: with thousands of DHCP hosts arming timers each second, those
// wake-ups cost more than the hosts' work. Pure: a queue of (when, which
// host, what) taken in time order; the actor holding it sends the messages.
#include <cstdint>
#include <optional>
#include <queue>
#include <vector>

#include "apps/sim/dhcp_client.hpp"
#include "apps/sim/host_directory.hpp"

namespace etherbeam::apps::sim {

enum class timer_kind : std::uint8_t { start, dhcp };

struct host_timer {
  sim_clock::time_point due;
  host_index host = 0;
  timer_kind kind = timer_kind::dhcp;
};

class timer_queue {
public:
  // A host arming again leaves its earlier timer here: the host ignores a
  // timer that is not its latest, which is cheaper than finding it.
  void arm(host_timer t);
  // Every timer due at `now` or before, earliest first.
  std::vector<host_timer> take_due(sim_clock::time_point now);
  std::optional<sim_clock::time_point> next_due() const;
  std::size_t size() const { return heap_.size(); }

private:
  struct later {
    bool operator()(const host_timer& a, const host_timer& b) const { return a.due > b.due; }
  };
  std::priority_queue<host_timer, std::vector<host_timer>, later> heap_;
};

} // namespace etherbeam::apps::sim
