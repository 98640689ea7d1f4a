#include "apps/sim/host_directory.hpp"

#include <mutex>

namespace etherbeam::apps::sim {

std::uint64_t host_directory::key(actors::link_index link, const protocols::mac_address& mac) {
  std::uint64_t k = link;
  for (auto o : mac.octets) k = k << 8 | o;
  return k;
}

std::uint64_t host_directory::key(actors::link_index link, protocols::ipv4_address address) {
  return std::uint64_t{link} << 32 | address.value;
}

std::optional<host_index> host_directory::add(actors::link_index link, const protocols::mac_address& mac) {
  std::unique_lock guard(lock_);
  auto index = static_cast<host_index>(hosts_.size());
  if (!by_mac_.emplace(key(link, mac), index).second) return std::nullopt;
  hosts_.push_back({mac, link, std::nullopt});
  return index;
}

std::optional<host_index> host_directory::by_mac(actors::link_index link, const protocols::mac_address& mac) const {
  std::shared_lock guard(lock_);
  auto it = by_mac_.find(key(link, mac));
  if (it == by_mac_.end()) return std::nullopt;
  return it->second;
}

std::optional<host_index> host_directory::by_address(actors::link_index link, protocols::ipv4_address address) const {
  std::shared_lock guard(lock_);
  auto it = by_address_.find(key(link, address));
  if (it == by_address_.end()) return std::nullopt;
  return it->second;
}

void host_directory::set_address(host_index index, std::optional<protocols::ipv4_address> address) {
  std::unique_lock guard(lock_);
  auto& h = hosts_.at(index);
  if (h.removed) return; // a host's last word after its removal
  if (h.address) {
    auto it = by_address_.find(key(h.link, *h.address));
    if (it != by_address_.end() && it->second == index) by_address_.erase(it);
  }
  h.address = address;
  if (address) by_address_[key(h.link, *address)] = index; // the newest claim wins, as on a wire
}

void host_directory::remove(host_index index) {
  std::unique_lock guard(lock_);
  auto& h = hosts_.at(index);
  if (h.removed) return;
  if (auto it = by_mac_.find(key(h.link, h.mac)); it != by_mac_.end() && it->second == index) by_mac_.erase(it);
  if (h.address)
    if (auto it = by_address_.find(key(h.link, *h.address)); it != by_address_.end() && it->second == index)
      by_address_.erase(it);
  h.address.reset();
  h.removed = true;
}

std::size_t host_directory::size() const {
  std::shared_lock guard(lock_);
  return hosts_.size();
}

} // namespace etherbeam::apps::sim
