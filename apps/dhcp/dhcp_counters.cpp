#include "apps/dhcp/dhcp_counters.hpp"

namespace etherbeam::apps::dhcp {

namespace {

std::string type_name(std::size_t t) { return std::string(to_string(protocols::dhcp_message_type(t))); }

} // namespace

dhcp_counters::dhcp_counters(std::shared_ptr<actors::stack_counters> counters)
    : all(std::move(counters)), handed_off(all->named.add("handed_to_dhcp")),
      server_absent(all->named.add("dhcp_server_absent")),
      overload_dropped(all->named.add("overload.dhcp_dropped")),
      replies_too_large(all->named.add("dhcp_replies_too_large")),
      journal_commits(all->named.add("journal.commits")), journal_records(all->named.add("journal.records")),
      journal_compactions(all->named.add("journal.compactions")),
      journal_write_errors(all->named.add("journal.write_errors")),
      unanswered_journal_failing(all->named.add("dhcp.unanswered_journal_failing")),
      declines_rate_limited(all->named.add("dhcp.declines_rate_limited")),
      pool_size(all->named.add("dhcp.pool_size", false)), active_leases(all->named.add("dhcp.active_leases", false)),
      journal_commit_us(all->named.add("journal.commit_us", false)) {
  auto& named = all->named;
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
