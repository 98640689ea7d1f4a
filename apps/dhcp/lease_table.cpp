#include "apps/dhcp/lease_table.hpp"

#include <algorithm>

namespace etherbeam::apps::dhcp {

std::string_view to_string(lease_state s) {
  switch (s) {
    case lease_state::offered: return "offered";
    case lease_state::bound: return "bound";
    case lease_state::released: return "released";
    case lease_state::declined: return "declined";
  }
  return "unknown";
}

const lease* lease_table::by_address(protocols::ipv4_address a) const {
  auto it = by_address_.find(a.value);
  return it == by_address_.end() ? nullptr : &it->second;
}

const lease* lease_table::by_client(const client_key& key) const {
  auto it = by_client_.find(key);
  return it == by_client_.end() ? nullptr : by_address(protocols::ipv4_address{it->second});
}

void lease_table::put(const lease& l) {
  if (auto old = by_address_.find(l.address.value); old != by_address_.end()) {
    auto owner = by_client_.find(old->second.client);
    if (owner != by_client_.end() && owner->second == l.address.value) by_client_.erase(owner);
    if (old->second.state == lease_state::offered) offers_.erase({old->second.expires, l.address.value});
  }
  if (l.state == lease_state::offered) offers_.insert({l.expires, l.address.value});
  by_address_[l.address.value] = l;
  // A declined address belongs to no client any more.
  if (l.state != lease_state::declined) by_client_[l.client] = l.address.value;
}

void lease_table::erase(protocols::ipv4_address a) {
  auto it = by_address_.find(a.value);
  if (it == by_address_.end()) return;
  auto owner = by_client_.find(it->second.client);
  if (owner != by_client_.end() && owner->second == a.value) by_client_.erase(owner);
  if (it->second.state == lease_state::offered) offers_.erase({it->second.expires, a.value});
  by_address_.erase(it);
  unrecorded_hint_.clear(); // the erased address may lie below a hint
}

std::optional<protocols::ipv4_address> lease_table::first_unrecorded(
  const address_range& range, const std::function<bool(protocols::ipv4_address)>& usable) const {
  auto& hint = unrecorded_hint_[range.first.value];
  std::uint64_t v = std::max<std::uint64_t>(range.first.value, hint);
  auto it = by_address_.lower_bound(static_cast<std::uint32_t>(std::min<std::uint64_t>(v, 0xffffffffu)));
  for (; v <= range.last.value; ++v) {
    if (it != by_address_.end() && it->first == v) {
      ++it;
      continue;
    }
    if (usable(protocols::ipv4_address{static_cast<std::uint32_t>(v)})) break;
  }
  hint = v;
  if (v > range.last.value) return std::nullopt;
  return protocols::ipv4_address{static_cast<std::uint32_t>(v)};
}

bool lease_table::taken(protocols::ipv4_address a, std::int64_t now) const {
  auto l = by_address(a);
  return l && l->holds_address(now);
}

const lease* lease_table::oldest_offer(const std::function<bool(const lease&)>& wanted) const {
  for (const auto& [_, address] : offers_)
    if (auto l = by_address(protocols::ipv4_address{address}); l && wanted(*l)) return l;
  return nullptr;
}

void lease_table::for_each(const std::function<void(const lease&)>& f) const {
  for (const auto& [_, l] : by_address_) f(l);
}

} // namespace etherbeam::apps::dhcp
