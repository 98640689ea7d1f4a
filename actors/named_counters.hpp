#pragma once
// Counters with names, made at start by the runtime and by each application
// for what it counts ("reply.arp_reply", "malformed.dhcp.truncated"), then
// bumped as plain atomics from any thread: a message per increment would
// cost more than the work being counted. Pure: no CAF, no I/O.
#include <array>
#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "protocols/parse_result.hpp"

namespace etherbeam::actors {

using counter = std::atomic<std::uint64_t>;

struct named_counter {
  named_counter(std::string n, bool s, bool g = false) : name(std::move(n)), shown(s), gauge(g) {}
  const std::string name;
  const bool shown; // false: read by a rendering (a gauge, an average's parts)
  const bool gauge; // a level (pool size), not a count of events
  counter value{0};
  void operator++() { value.fetch_add(1, std::memory_order_relaxed); }
  void operator+=(std::uint64_t n) { value.fetch_add(n, std::memory_order_relaxed); }
};

// One counter per way a layer's bytes can be refused: "malformed.LAYER.ERROR".
struct layer_counters {
  explicit layer_counters(std::string n) : layer(std::move(n)) {}
  const std::string layer;
  std::array<counter, std::size_t(protocols::parse_error::count_)> by_error{};
};

// How long something took, counted in buckets (a Prometheus histogram):
// `bounds` are the buckets' upper ends, in the unit observed.
struct histogram {
  histogram(std::string n, std::vector<std::uint64_t> b) : name(std::move(n)), bounds(std::move(b)), buckets(bounds.size() + 1) {}
  const std::string name;
  const std::vector<std::uint64_t> bounds;
  std::deque<counter> buckets; // one per bound, then +Inf; not cumulative
  counter sum{0}, count{0};
  void observe(std::uint64_t v) {
    std::size_t i = 0;
    while (i < bounds.size() && v > bounds[i]) ++i;
    buckets[i].fetch_add(1, std::memory_order_relaxed);
    sum.fetch_add(v, std::memory_order_relaxed);
    count.fetch_add(1, std::memory_order_relaxed);
  }
};

// Counters are made while the server starts, before frames flow; their
// addresses never change (a deque), so deciders keep references to them.
class counter_registry {
public:
  // The counter of that name, made on first use: two applications counting
  // "ignored.not_a_request" share one.
  named_counter& add(std::string name, bool shown = true);
  // A level rather than a count (not shown by render(); see metrics.hpp).
  named_counter& add_gauge(std::string name);
  histogram& add_histogram(std::string name, std::vector<std::uint64_t> bounds);
  layer_counters& add_layer(std::string layer);
  // Text computed when the counters are shown (an average, a gauge shown
  // even at zero): appended after the counters, " name=value" each.
  void add_rendering(std::function<void(std::ostream&)> render);

  // " name=value" for every counter that is not zero, in the order made.
  void render(std::ostream& out) const;
  // The value of a counter, 0 when there is none of that name (tests).
  std::uint64_t value(std::string_view name) const;
  // Every counter and gauge, shown or not, and every layer's reasons (as
  // "malformed.LAYER.REASON"), zeros included; then every histogram.
  void for_each(const std::function<void(const named_counter&)>& counters,
                const std::function<void(std::string_view name, std::uint64_t value)>& reasons,
                const std::function<void(const histogram&)>& histograms) const;

private:
  std::deque<named_counter> counters_;
  std::deque<histogram> histograms_;
  std::deque<layer_counters> layers_;
  std::deque<std::function<void(std::ostream&)>> renderings_;
};

} // namespace etherbeam::actors
