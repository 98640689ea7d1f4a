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

// Host names come from clients: any bytes at all. Shown as printable ASCII
// only, every other byte (and the backslash) as \xNN, so that no client can
// break a JSON reader, forge table rows or send escape sequences to a terminal.
std::string printable(std::string_view raw);
// "2026-12-01T17:00:00Z"
std::string utc(std::int64_t unix_time);
// "active", "expired", "released", "declined"
std::string state_name(const lease& l, std::int64_t now);

} // namespace etherbeam::apps::dhcp
