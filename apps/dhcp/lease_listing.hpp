#pragma once
// `etherbeam leases`: the lease table as a table for people or JSON for tools.
#include <cstdint>
#include <string>

#include "apps/dhcp/lease_table.hpp"

namespace etherbeam::apps::dhcp {

struct listing_options {
  bool json = false;
  bool include_inactive = false; // released, expired and declined leases too
};

std::string render_leases(const lease_table& table, std::int64_t now, listing_options options);

} // namespace etherbeam::apps::dhcp
