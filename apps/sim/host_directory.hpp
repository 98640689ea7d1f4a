#pragma once
// Which simulated host a frame is for, without a search through the hosts:
// each host by its MAC, and by its address once it has one, on its link.
// Read by many frame actors at once, changed by the hosts' actors (an
// address bound or given up) and by `etherbeam sim add/remove`.
#include <cstdint>
#include <optional>
#include <shared_mutex>
#include <unordered_map>
#include <vector>

#include "actors/link_index.hpp"
#include "protocols/addresses.hpp"

namespace etherbeam::apps::sim {

using host_index = std::uint32_t;

class host_directory {
public:
  // Adds a host; false when its MAC is already someone's on that link.
  std::optional<host_index> add(actors::link_index link, const protocols::mac_address& mac);
  std::optional<host_index> by_mac(actors::link_index link, const protocols::mac_address& mac) const;
  std::optional<host_index> by_address(actors::link_index link, protocols::ipv4_address address) const;
  // The address the host answers for (none: it has none yet, or gave it up).
  void set_address(host_index host, std::optional<protocols::ipv4_address> address);
  // Frames for it find nobody from now on; its index is never used again.
  void remove(host_index host);
  std::size_t size() const;

private:
  struct host {
    protocols::mac_address mac;
    actors::link_index link;
    std::optional<protocols::ipv4_address> address;
    bool removed = false;
  };
  static std::uint64_t key(actors::link_index link, const protocols::mac_address& mac);
  static std::uint64_t key(actors::link_index link, protocols::ipv4_address address);

  mutable std::shared_mutex lock_;
  std::vector<host> hosts_;
  std::unordered_map<std::uint64_t, host_index> by_mac_, by_address_;
};

} // namespace etherbeam::apps::sim
