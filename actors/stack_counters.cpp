#include "actors/stack_counters.hpp"

#include <sstream>

namespace etherbeam::actors {

void stack_counters::record(const verdict& v) {
  switch (v.outcome) {
    case verdict::kind::reply: ++replies[std::size_t(v.reply)]; break;
    case verdict::kind::ignored: ++ignored[std::size_t(v.ignored)]; break;
    case verdict::kind::malformed:
      ++malformed[std::size_t(v.malformed_layer)][std::size_t(v.malformed_error)];
      break;
    case verdict::kind::handed_off: ++handed_to_dhcp; break;
  }
}

std::string stack_counters::render() const {
  std::ostringstream out;
  out << "frames_in=" << frames_in;
  auto put = [&](std::string_view name, const counter& c) {
    if (auto v = c.load()) out << ' ' << name << '=' << v;
  };
  put("oversize_frames", oversize_frames);
  put("ingress_receive_errors", ingress_receive_errors);
  for (std::size_t k = 0; k < replies.size(); ++k)
    put(std::string("reply.") + std::string(to_string(reply_kind(k))), replies[k]);
  put("replies_sent", replies_sent);
  put("replies_dropped_binder_absent", replies_dropped_binder_absent);
  put("replies_dropped_binder_busy", replies_dropped_binder_busy);
  put("reply_send_errors", reply_send_errors);
  put("frame_actor_failures", frame_actor_failures);
  put("actor_restarts", actor_restarts);
  put("handed_to_dhcp", handed_to_dhcp);
  put("frames_refused_untrusted_sender", frames_refused_untrusted_sender);
  put("dhcp_server_absent", dhcp_server_absent);
  put("overload.frames_dropped", overload_frames_dropped);
  put("overload.dhcp_dropped", overload_dhcp_dropped);
  for (std::size_t t = 1; t < dhcp_received.size(); ++t)
    put("dhcp.in." + std::string(to_string(protocols::dhcp_message_type(t))), dhcp_received[t]);
  for (std::size_t t = 1; t < dhcp_sent.size(); ++t)
    put("dhcp.out." + std::string(to_string(protocols::dhcp_message_type(t))), dhcp_sent[t]);
  for (std::size_t e = 0; e < dhcp.size(); ++e)
    put(std::string("dhcp.") + std::string(to_string(dhcp_event(e))), dhcp[e]);
  put("dhcp.pool_size", dhcp_pool_size);
  if (dhcp_pool_size.load()) out << " dhcp.active_leases=" << dhcp_active_leases.load();
  put("dhcp_replies_too_large", dhcp_replies_too_large);
  put("journal.commits", journal_commits);
  put("journal.records", journal_records);
  put("journal.compactions", journal_compactions);
  put("journal.write_errors", journal_write_errors);
  put("dhcp.unanswered_journal_failing", dhcp_unanswered_journal_failing);
  put("dhcp.declines_rate_limited", dhcp_declines_rate_limited);
  if (auto n = journal_commits.load()) out << " journal.avg_commit_us=" << journal_commit_us.load() / n;
  for (std::size_t r = 0; r < ignored.size(); ++r)
    put(std::string("ignored.") + std::string(to_string(ignore_reason(r))), ignored[r]);
  for (std::size_t l = 0; l < malformed.size(); ++l)
    for (std::size_t e = 0; e < malformed[l].size(); ++e)
      put("malformed." + std::string(to_string(layer(l))) + "." +
            std::string(to_string(protocols::parse_error(e))),
          malformed[l][e]);
  return out.str();
}

} // namespace etherbeam::actors
