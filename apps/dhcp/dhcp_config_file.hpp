#pragma once
// The [dhcp] part of the config file, the --dhcp-pool shorthand, and the
// checks that make a bad DHCP configuration fail at start with the entry named.
#include <filesystem>
#include <string>
#include <vector>

#include <toml++/toml.h>

#include "apps/dhcp/dhcp_settings.hpp"

namespace etherbeam::apps::dhcp {

void load_dhcp_settings(const toml::table& dhcp, const std::filesystem::path& file, dhcp_settings& into);

// "10.0.0.100-10.0.0.199"
address_range parse_range(const std::string& text, const std::string& where);

// --dhcp-pool: a pool on the subnet of the owned address that contains it.
void add_pool(dhcp_settings& into, const address_range& pool,
              const std::vector<protocols::ipv4_interface>& own, const std::string& where);

void validate(const dhcp_settings& dhcp);

} // namespace etherbeam::apps::dhcp
