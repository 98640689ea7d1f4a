#include "apps/router/neighbour_table.hpp"

#include <algorithm>

namespace etherbeam::apps::router {

std::string_view neighbour_table::to_string(state s) {
  switch (s) {
    case state::incomplete: return "INCOMPLETE";
    case state::reachable: return "REACHABLE";
    case state::stale: return "STALE";
    case state::probe: return "PROBE";
    case state::failed: return "FAILED";
  }
  return "?";
}

std::string neighbour_table::list(const std::function<std::string(actors::link_index)>& name_of,
                                  actors::link_index link) const {
  std::vector<std::pair<protocols::ipv4_address, const entry*>> sorted;
  for (const auto& [ip, e] : entries_) sorted.emplace_back(ip, &e);
  std::sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) { return a.first.value < b.first.value; });
  std::string out;
  for (const auto& [ip, e] : sorted) {
    // INCOMPLETE and FAILED have no MAC yet (ip neigh prints none either).
    bool located = e->now != state::incomplete && e->now != state::failed;
    out += ip.to_string() + " dev " + name_of(located ? e->at.port : link);
    if (located) out += " lladdr " + e->at.mac.to_string();
    out += " " + std::string(to_string(e->now));
    if (!e->waiting.empty()) out += " (" + std::to_string(e->waiting.size()) + " packets waiting)";
    out += "\n";
  }
  return out;
}

neighbour_table::outcome neighbour_table::route(protocols::ipv4_address next_hop, packet p, clock::time_point now,
                                                const output& out) {
  auto it = entries_.find(next_hop);
  if (it == entries_.end()) {
    if (!room_for_one(now)) return outcome::table_full;
    it = entries_.emplace(next_hop, entry{}).first;
    it->second.since = now;
    it->second.probes_sent = 1;
    out.ask(next_hop, std::nullopt);
  }
  auto& e = it->second;
  e.last_used = now;
  switch (e.now) {
    case state::failed: // asked again, from the start
      e.now = state::incomplete;
      e.since = now;
      e.probes_sent = 1;
      out.ask(next_hop, std::nullopt);
      [[fallthrough]];
    case state::incomplete:
      if (e.waiting.size() >= settings_.queue_per_neighbour) return outcome::queue_full;
      e.waiting.push_back(std::move(p));
      return outcome::queued;
    case state::stale: // used again: make sure it is still there, meanwhile send
      e.now = state::probe;
      e.since = now;
      e.probes_sent = 1;
      out.ask(next_hop, e.at);
      [[fallthrough]];
    case state::reachable:
    case state::probe:
      out.send(e.at, std::move(p));
      return outcome::sent;
  }
  return outcome::sent;
}

void neighbour_table::heard(protocols::ipv4_address ip, const location& where, bool is_reply,
                            clock::time_point now, const output& out, bool update_only) {
  auto it = entries_.find(ip);
  if (it == entries_.end()) {
    if (is_reply || update_only || !room_for_one(now)) return; // no question of ours, or no room
    entry e;
    e.now = state::stale;
    e.at = where;
    e.last_used = now;
    entries_.emplace(ip, std::move(e));
    return;
  }
  auto& e = it->second;
  bool moved = e.at != where;
  e.at = where;
  if (is_reply || e.now == state::incomplete) {
    e.now = state::reachable;
    e.since = now;
    e.probes_sent = 0;
  } else if (moved) {
    e.now = state::stale;
  }
  deliver(e, out);
}

bool neighbour_table::room_for_one(clock::time_point now) {
  if (entries_.size() < settings_.max_entries) return true;
  // A table with nothing to forget is looked at again only after a while: a
  // flood of new next hops must not cost a walk of the table each.
  if (now - nothing_to_forget_at_ < std::chrono::milliseconds(100)) return false;
  constexpr auto idle = std::chrono::seconds(5); // Linux forgets what was not updated for 5 s
  std::erase_if(entries_, [&](const auto& kv) {
    const auto& e = kv.second;
    return e.now == state::failed || (e.waiting.empty() && now - std::max(e.since, e.last_used) >= idle);
  });
  if (entries_.size() < settings_.max_entries) return true;
  nothing_to_forget_at_ = now;
  return false;
}

void neighbour_table::deliver(entry& e, const output& out) {
  for (auto& p : e.waiting) out.send(e.at, std::move(p));
  e.waiting.clear();
}

void neighbour_table::tick(clock::time_point now, const output& out) {
  for (auto it = entries_.begin(); it != entries_.end();) {
    auto& [ip, e] = *it;
    bool remove = false;
    switch (e.now) {
      case state::incomplete:
      case state::probe:
        if (now - e.since < settings_.retransmit) break;
        if (e.probes_sent >= settings_.probes) {
          e.now = state::failed;
          for (auto& p : e.waiting) out.undeliverable(std::move(p));
          e.waiting.clear();
          break;
        }
        ++e.probes_sent;
        e.since = now;
        out.ask(ip, e.now == state::probe ? std::optional{e.at} : std::nullopt);
        break;
      case state::reachable:
        if (now - e.since >= settings_.reachable) e.now = state::stale;
        break;
      case state::stale:
      case state::failed:
        remove = now - e.last_used >= settings_.unused_stale;
        break;
    }
    it = remove ? entries_.erase(it) : std::next(it);
  }
}

std::optional<neighbour_table::state> neighbour_table::state_of(protocols::ipv4_address ip) const {
  auto it = entries_.find(ip);
  if (it == entries_.end()) return std::nullopt;
  return it->second.now;
}

std::optional<neighbour_table::location> neighbour_table::location_of(protocols::ipv4_address ip) const {
  auto it = entries_.find(ip);
  if (it == entries_.end() || it->second.now == state::incomplete || it->second.now == state::failed)
    return std::nullopt;
  return it->second.at;
}

} // namespace etherbeam::apps::router
