#pragma once
// How often a router tells one host of a better first hop (ICMP redirect,
// RFC 1812 §5.2.7.2), as Linux paces it (ip_rt_send_redirect): the first at
// once, each next one only after twice the wait of the one before (40 ms,
// 80 ms, ...), none after the ninth, as the host is not listening; once it
// has sent nothing that asked for one for 20 s, from the start again. Bounded: a sweep of spoofed
// sources cannot grow it without end. Pure: time is passed in.
#include <chrono>
#include <cstdint>
#include <unordered_map>

namespace etherbeam::apps::router {

class redirect_backoff {
public:
  using clock = std::chrono::steady_clock;
  static constexpr unsigned most = 9;                             // ip_rt_redirect_number
  static constexpr clock::duration first_wait = std::chrono::milliseconds(20); // ip_rt_redirect_load
  static constexpr clock::duration silence = std::chrono::milliseconds(20480); // ip_rt_redirect_silence

  explicit redirect_backoff(std::size_t max_hosts = 4096) : max_hosts_(max_hosts) {}

  // Whether a redirect may go to `host` now; counted as sent when it may.
  bool may_send(std::uint32_t host, clock::time_point now);
  std::size_t hosts() const { return hosts_.size(); }

private:
  struct host_state {
    unsigned sent = 0;
    clock::time_point last{};
  };
  std::unordered_map<std::uint32_t, host_state> hosts_;
  std::size_t max_hosts_;
};

} // namespace etherbeam::apps::router
