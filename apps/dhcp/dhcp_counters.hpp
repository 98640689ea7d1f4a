#pragma once
// What the DHCP server counts, made in the runtime's counter registry under
// the names `etherbeam counters` shows (dhcp.in.discover, journal.commits…).
#include <array>
#include <memory>

#include "actors/stack_counters.hpp"
#include "apps/dhcp/dhcp_server.hpp"

namespace etherbeam::apps::dhcp {

struct dhcp_counters {
  // Per-subnet gauges for each of `subnets` (those configured at start).
  dhcp_counters(std::shared_ptr<actors::stack_counters> all, const std::vector<protocols::ipv4_interface>& subnets = {});

  std::shared_ptr<actors::stack_counters> all; // keeps the registry alive
  actors::named_counter& handed_off;     // DHCP messages passed to the lease manager
  actors::named_counter& server_absent;  // ... while no lease manager was running
  actors::named_counter& overload_dropped; // the lease manager that far behind
  std::array<actors::named_counter*, std::size_t(dhcp_event::count_)> events{};
  std::array<actors::named_counter*, 9> received{}; // by message type, 1..8
  std::array<actors::named_counter*, 9> sent{};
  actors::named_counter& replies_too_large; // sent with options left out to fit the client's size
  actors::named_counter& journal_commits;   // fdatasyncs of the lease journal
  actors::named_counter& journal_records;
  actors::named_counter& journal_compactions;
  actors::named_counter& journal_write_errors; // commits that failed (a full disk, an I/O error)
  actors::named_counter& unanswered_journal_failing; // lease changes refused meanwhile: no ACK
  actors::named_counter& declines_rate_limited;
  actors::named_counter& pool_usage_warnings; // a subnet passed its pool-use threshold
  actors::named_counter& client_rate_limited; // messages over a client's client_rate_limit, ignored
  actors::named_counter& watch_events_dropped; // lease events a slow `etherbeam watch` did not take
  // Gauges, refreshed by the lease manager, and the time spent committing.
  actors::named_counter &pool_size, &active_leases, &journal_commit_us;
  actors::histogram& journal_commit; // microseconds per commit
  // Per subnet: addresses in its pools, leased now, held back after a DECLINE.
  struct subnet_gauges {
    protocols::ipv4_interface network;
    actors::named_counter &total, &assigned, &declined;
  };
  std::vector<subnet_gauges> subnets;
};

} // namespace etherbeam::apps::dhcp
