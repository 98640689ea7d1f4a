#pragma once
// The simulated hosts' groups as the config file says them ([[apps.sim.group]])
// and as `etherbeam sim add` does, and the hosts they make. Each group is a run
// of hosts with consecutive MACs and addresses on a link.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <toml++/toml.h>

#include "actors/link_directory.hpp"
#include "apps/sim/host_actors.hpp"

namespace etherbeam::apps::sim {

inline constexpr std::int64_t max_hosts = 1'000'000;

struct group_settings {
  std::int64_t count = 0;
  protocols::mac_address first_mac;
  std::optional<protocols::ipv4_interface> first_address; // none: by DHCP
  std::string link;
  std::uint16_t vlan = 0;
  group_timing timing;
  int line = 0;
};

// Throw server::config_error naming the setting (and line) that is wrong.
group_settings read_group(const toml::table& table);
std::vector<group_settings> read_settings(const toml::table& table);
// One group in the syntax of an inline table's body: `count = 10, mac = "…", address = "dhcp"`.
group_settings read_group_text(std::string_view text);

protocols::mac_address mac_plus(protocols::mac_address m, std::uint64_t n);

// Every host of every group, indexed from `first_index`, checked: on a served
// link, inside its subnet (not its network or broadcast address), not one of
// etherbeam's own addresses.
std::vector<host_spec> hosts_of(const std::vector<group_settings>& groups, const actors::link_directory& links,
                                host_index first_index = 0);

} // namespace etherbeam::apps::sim
