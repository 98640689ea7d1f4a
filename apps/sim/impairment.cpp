#include "apps/sim/impairment.hpp"

#include <algorithm>

namespace etherbeam::apps::sim {

namespace {

std::uint64_t next(std::uint64_t& state) { // splitmix64
  std::uint64_t z = (state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

bool happens(double percent, std::uint64_t& random) {
  return percent > 0 && static_cast<double>(next(random) % 1'000'000) < percent * 10'000;
}

} // namespace

frame_plan plan_frame(const impairment& link, std::uint64_t& random) {
  frame_plan p;
  if (happens(link.loss_percent, random)) {
    p.copies = 0;
    return p;
  }
  if (happens(link.duplicate_percent, random)) p.copies = 2;
  for (std::uint8_t i = 0; i < p.copies; ++i) {
    auto d = link.delay;
    if (link.jitter.count() > 0) {
      auto span = static_cast<std::uint64_t>(2 * link.jitter.count() + 1);
      d += std::chrono::milliseconds(static_cast<std::int64_t>(next(random) % span) - link.jitter.count());
    }
    // Held back by one more delay and jitter: the frames after it arrive first.
    if (happens(link.reorder_percent, random)) d += link.delay + link.jitter + std::chrono::milliseconds(1);
    p.after[i] = std::max(d, std::chrono::milliseconds(0));
  }
  return p;
}

} // namespace etherbeam::apps::sim
