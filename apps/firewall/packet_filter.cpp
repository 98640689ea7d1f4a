#include "apps/firewall/packet_filter.hpp"

#include <sstream>

namespace etherbeam::apps::firewall {

packet_filter::packet_filter(std::shared_ptr<const rules_in_force> rules, flow_table::settings table)
    : rules_(std::move(rules)), table_(table) {}

filter_decision packet_filter::decide(const judged_packet& packet) {
  auto rules = rules_->get();
  std::lock_guard guard(lock_);
  table_store store(table_);
  return judge(store, *rules, packet);
}

std::size_t packet_filter::flows() const {
  std::lock_guard guard(lock_);
  return table_.size();
}

void packet_filter::expire(clock::time_point now) {
  std::lock_guard guard(lock_);
  table_.expire(now);
}

std::string describe_flow(const flow_entry& e, clock::time_point now) {
  std::ostringstream out;
  out << e.original.to_string();
  if (e.original.protocol == protocols::ip_protocol::tcp) out << " " << name_of(e.tcp);
  out << (e.seen_reply ? "" : " [UNREPLIED]") << " reply " << e.reply.to_string()
      << (e.assured ? " [ASSURED]" : "") // kept when the table is full, as conntrack -L marks it
      << " packets " << e.packets[0]
      << "/" << e.packets[1] << " bytes " << e.bytes[0] << "/" << e.bytes[1] << " expires-in "
      << std::chrono::duration_cast<std::chrono::seconds>(e.expires - now).count() << "s\n";
  return out.str();
}

std::string packet_filter::list_flows(clock::time_point now) const {
  std::lock_guard guard(lock_);
  std::string out;
  table_.for_each([&](const flow_entry& e) { out += describe_flow(e, now); });
  return out;
}

} // namespace etherbeam::apps::firewall
