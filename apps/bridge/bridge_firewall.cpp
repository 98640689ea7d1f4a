#include "apps/bridge/bridge_firewall.hpp"

#include "apps/firewall/reject_answer.hpp"

namespace etherbeam::apps::bridge {

using actors::inbound_frame;
using actors::verdict;
using namespace protocols;
namespace fw = firewall;

std::size_t nat_rule_line(const fw::rule_set& rules) {
  return rules.nat().empty() ? 0 : rules.nat().front().line;
}

bridge_firewall::bridge_firewall(actors::counter_registry& c, std::shared_ptr<const fw::rules_in_force> rules,
                                 fw::flow_table::settings table, std::vector<std::string> link_names)
    : filter_(std::move(rules), table), capacity_(table.max_flows), link_names_(std::move(link_names)), dropped_(c.add("firewall.dropped")),
      rejected_(c.add("reply.firewall_reject")), invalid_(c.add("firewall.invalid")),
      table_full_(c.add("firewall.flow_table_full")), early_drops_(c.add("firewall.early_drops")),
      truncated_(c.add("firewall.truncated")),
      bad_header_(c.add("firewall.bad_ip_header")), skipped_rules_(c.add("firewall.established_fast_path")),
      fragments_held_(c.add("firewall.fragments_held")), fragments_dropped_(c.add("firewall.fragments_dropped")),
      reassembled_(c.add("firewall.fragments_reassembled")) {}

std::variant<verdict, std::vector<std::uint8_t>> bridge_firewall::gather(const inbound_frame& in,
                                                                         const ipv4_packet& fragment) const {
  using outcome = ipv4_reassembly::outcome;
  std::lock_guard guard(fragments_lock_);
  auto now = ipv4_reassembly::clock::now();
  if (now - fragments_expired_at_ >= std::chrono::seconds(1)) {
    fragments_.expire(now, [](byte_view) {}); // only the destination host sends Time Exceeded
    fragments_expired_at_ = now;
  }
  auto link_header = in.bytes.first(in.bytes.size() - in.ethernet_payload.size());
  switch (fragments_.add(link_header, fragment, now)) {
    case outcome::held: return verdict::ignore(fragments_held_);
    case outcome::completed: ++reassembled_; return fragments_.whole_frame();
    default: return verdict::ignore(fragments_dropped_);
  }
}

std::optional<verdict> bridge_firewall::stop(const inbound_frame& in, std::optional<actors::link_index> out,
                                             byte_buffer reply) const {
  if (in.ethernet->ethertype != ethertype::ipv4) return std::nullopt;
  auto packet = ipv4_packet::check(in.ethernet_payload);
  // Bridge netfilter drops what it cannot read as IPv4 rather than pass it unjudged.
  if (!packet || !packet->checksum_valid()) return verdict::ignore(bad_header_);
  auto facts = fw::read_packet_facts(*packet);
  if (!facts) return verdict::ignore(truncated_);

  const auto* me = in.me;
  auto for_us = [me](ipv4_address destination) {
    return destination.is_limited_broadcast() || destination.is_multicast() || me->owns(destination) ||
           me->broadcast_owner(destination).has_value();
  };
  // To etherbeam's MAC but not its address: the router's to route (and its firewall's to
  // judge), as Linux's bridge passes such a frame up to IP, unbridged.
  if (!out && !for_us(facts->flow.destination)) return std::nullopt;
  std::function<fw::packet_path(ipv4_address)> route = [&](ipv4_address destination) {
    fw::packet_path path;
    if (out) path.out_link = *out;
    else path.to_us = for_us(destination);
    return path;
  };
  std::vector<std::string> met;
  bool tracing = traces_->wanted(*facts);
  auto trace = fw::collecting_into(met);
  auto d = filter_.decide({*facts, in.link, packet->total_len(), route, fw::clock::now(), tracing ? &trace : nullptr});
  if (tracing) {
    auto name = [&](actors::link_index l) { return l < link_names_.size() ? link_names_[l] : std::to_string(l); };
    traces_->add(fw::describe_trace(name(in.link), *facts, d, out ? name(*out) : std::string(), met));
  }
  using kind = fw::filter_decision::kind;
  switch (d.what) {
    case kind::accept:
      if (d.skipped_rules) ++skipped_rules_;
      if (d.made_room) ++early_drops_;
      return std::nullopt;
    case kind::drop: return verdict::ignore(dropped_);
    case kind::invalid: return verdict::ignore(invalid_);
    case kind::table_full: return verdict::ignore(table_full_);
    case kind::reject: return reject(in, *packet, reply);
  }
  return verdict::ignore(dropped_);
}

// From the host the packet was for, its MAC and its address, as nft's reject
// in a bridge answers; never for a broadcast or multicast address.
verdict bridge_firewall::reject(const inbound_frame& in, const ipv4_packet& packet, byte_buffer reply) const {
  auto to = packet.destination();
  if (to.is_limited_broadcast() || to.is_multicast()) return verdict::ignore(dropped_);
  auto len = fw::emit_reject(*in.ethernet, packet, in.ethernet->destination, to, reply);
  return len ? verdict::replied(rejected_, len) : verdict::ignore(dropped_);
}

} // namespace etherbeam::apps::bridge
