#pragma once
// A per-client rate limit on DHCP messages (off by default): a client — by
// client identifier, else MAC — gets `rate` messages a second, `rate` at once
// (a token bucket each). A client that goes over starts an episode, said
// once; the episode ends when it has been within its rate for a minute.
// Bounded memory: at most `remembered` clients, the idle forgotten first.
// Pure: the caller passes the time.
#include <chrono>
#include <cstdint>
#include <map>

#include "apps/dhcp/dhcp_settings.hpp"

namespace etherbeam::apps::dhcp {

class client_rate_limit {
public:
  using clock = std::chrono::steady_clock;
  static constexpr std::size_t remembered = 65536;
  static constexpr std::chrono::seconds quiet_ends_episode{60};

  explicit client_rate_limit(unsigned per_second) : rate_(per_second) {}

  enum class verdict : std::uint8_t { allowed, limited, limited_first_of_episode };
  bool enabled() const { return rate_ != 0; }
  verdict check(const client_key& client, clock::time_point now);
  std::size_t clients() const { return buckets_.size(); }

private:
  struct bucket {
    double tokens;
    clock::time_point updated, last_limited;
    bool in_episode = false;
  };
  void forget_idle(clock::time_point now);

  unsigned rate_; // 0: no limit
  std::map<client_key, bucket> buckets_;
};

inline client_rate_limit::verdict client_rate_limit::check(const client_key& client, clock::time_point now) {
  if (rate_ == 0) return verdict::allowed;
  auto it = buckets_.find(client);
  if (it == buckets_.end()) {
    if (buckets_.size() >= remembered) forget_idle(now);
    if (buckets_.size() >= remembered) return verdict::allowed; // everyone busy: do not punish the new
    it = buckets_.emplace(client, bucket{double(rate_), now, {}, false}).first;
  }
  auto& b = it->second;
  std::chrono::duration<double> elapsed = now - b.updated;
  b.tokens = std::min(double(rate_), b.tokens + elapsed.count() * rate_);
  b.updated = now;
  if (b.in_episode && now - b.last_limited >= quiet_ends_episode) b.in_episode = false;
  if (b.tokens >= 1) {
    b.tokens -= 1;
    return verdict::allowed;
  }
  b.last_limited = now;
  if (b.in_episode) return verdict::limited;
  b.in_episode = true;
  return verdict::limited_first_of_episode;
}

inline void client_rate_limit::forget_idle(clock::time_point now) {
  std::erase_if(buckets_, [&](const auto& e) {
    return !e.second.in_episode && now - e.second.updated >= std::chrono::seconds(1); // its bucket is full again
  });
}

} // namespace etherbeam::apps::dhcp
