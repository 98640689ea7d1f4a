#include "apps/dhcp/dhcp_counters.hpp"

namespace etherbeam::apps::dhcp {

namespace {

std::string type_name(std::size_t t) { return std::string(to_string(protocols::dhcp_message_type(t))); }

} // namespace

dhcp_counters::dhcp_counters(std::shared_ptr<actors::stack_counters> counters,
                             const std::vector<protocols::ipv4_interface>& networks)
    : all(std::move(counters)), handed_off(all->named.add("handed_to_dhcp")),
      server_absent(all->named.add("dhcp_server_absent")),
      overload_dropped(all->named.add("overload.dhcp_dropped")),
      replies_too_large(all->named.add("dhcp_replies_too_large")),
      journal_commits(all->named.add("journal.commits")), journal_records(all->named.add("journal.records")),
      journal_compactions(all->named.add("journal.compactions")),
      journal_write_errors(all->named.add("journal.write_errors")),
      unanswered_journal_failing(all->named.add("dhcp.unanswered_journal_failing")),
      declines_rate_limited(all->named.add("dhcp.declines_rate_limited")),
      pool_usage_warnings(all->named.add("dhcp.pool_usage_warnings")),
      client_rate_limited(all->named.add("dhcp.client_rate_limited")),
      watch_events_dropped(all->named.add("dhcp.watch_events_dropped")),
      pool_size(all->named.add_gauge("dhcp.pool_size")), active_leases(all->named.add_gauge("dhcp.active_leases")),
      journal_commit_us(all->named.add("journal.commit_us", false)),
      journal_commit(all->named.add_histogram("journal.commit",
                                              {100, 250, 500, 1000, 2500, 5000, 10000, 25000, 50000, 100000, 250000,
                                               1000000})) {
  auto& named = all->named;
  for (const auto& n : networks) {
    auto prefix = "dhcp.subnet." + n.to_string() + ".";
    subnets.push_back({n, named.add_gauge(prefix + "total"), named.add_gauge(prefix + "assigned"),
                       named.add_gauge(prefix + "declined")});
  }
  for (std::size_t t = 1; t < received.size(); ++t) received[t] = &named.add("dhcp.in." + type_name(t));
  for (std::size_t t = 1; t < sent.size(); ++t) sent[t] = &named.add("dhcp.out." + type_name(t));
  for (std::size_t e = 0; e < events.size(); ++e)
    events[e] = &named.add("dhcp." + std::string(to_string(dhcp_event(e))));
  // Type 0 is no message type (the parser refuses it); a counter all the same.
  received[0] = sent[0] = &named.add("dhcp.unknown_message_type");
  // Captures counters of the registry only: it renders after this is gone.
  named.add_rendering([&pool = pool_size.value, &active = active_leases.value, &commits = journal_commits.value,
                       &us = journal_commit_us.value](std::ostream& out) {
    if (auto p = pool.load()) out << " dhcp.pool_size=" << p << " dhcp.active_leases=" << active.load();
    if (auto n = commits.load()) out << " journal.avg_commit_us=" << us.load() / n;
  });
}

} // namespace etherbeam::apps::dhcp
