#include "apps/router/redirect_backoff.hpp"

namespace etherbeam::apps::router {

bool redirect_backoff::may_send(std::uint32_t host, clock::time_point now) {
  auto it = hosts_.find(host);
  if (it == hosts_.end()) {
    if (hosts_.size() >= max_hosts_) {
      std::erase_if(hosts_, [&](const auto& h) { return now - h.second.last > silence; });
      if (hosts_.size() >= max_hosts_) hosts_.clear(); // all recent: forgetting is the bounded choice
    }
    it = hosts_.emplace(host, host_state{}).first;
  }
  auto& h = it->second;
  if (h.sent > 0 && now - h.last > silence) h.sent = 0;
  if (h.sent >= most) { // it is not listening: silence is counted from its last packet that asked for one
    h.last = now;
    return false;
  }
  if (h.sent > 0 && now < h.last + first_wait * (1u << h.sent)) return false;
  ++h.sent;
  h.last = now;
  return true;
}

} // namespace etherbeam::apps::router
