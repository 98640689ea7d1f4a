#include "apps/firewall/flow_judge.hpp"

namespace etherbeam::apps::firewall {

using namespace protocols;

bool may_open_flow(const packet_facts& facts) {
  if (facts.flow.protocol != ip_protocol::tcp) return true;
  return (facts.tcp_flags & (protocols::tcp_field::syn | protocols::tcp_field::ack | protocols::tcp_field::rst)) == protocols::tcp_field::syn;
}

bool valid_tcp_flags(std::uint8_t flags) {
  using namespace protocols::tcp_field;
  constexpr std::uint8_t urg = 0x20;
  switch (flags & (fin | syn | rst | ack | urg)) {
    case syn: case syn | urg: case syn | ack:
    case rst: case rst | ack:
    case fin | ack: case fin | ack | urg:
    case ack: case ack | urg:
      return true;
    default:
      return false;
  }
}

namespace {

std::optional<endpoint> masquerade_source(flow_store& flows, const rule_set& rules, const flow_tuple& original,
                                          const packet_path& path, clock::time_point now) {
  if (!path.out_link) return std::nullopt;
  bool masquerade = false;
  for (const auto& n : rules.nat())
    if (n.what == nat_rule::kind::masquerade && n.link.contains(*path.out_link)) masquerade = true;
  if (!masquerade || path.out_address.is_unspecified()) return std::nullopt;
  // Keep the port when no other flow has it (as Linux does), else the next free one
  // in Linux's ephemeral range.
  flow_tuple reply = original.reversed();
  reply.destination = path.out_address;
  bool ported = original.protocol == ip_protocol::tcp || original.protocol == ip_protocol::udp ||
                original.protocol == ip_protocol::icmp;
  if (flows.free(reply, now) || !ported) return endpoint{path.out_address, original.source_port};
  std::uint16_t start = static_cast<std::uint16_t>(32768 + flow_tuple_hash{}(original) % 28232);
  for (std::uint32_t i = 0; i < 28232; ++i) {
    std::uint16_t port = static_cast<std::uint16_t>(32768 + (start - 32768 + i) % 28232);
    reply.destination_port = port;
    if (original.protocol == ip_protocol::icmp) reply.source_port = port; // the echo identifier is both
    if (flows.free(reply, now)) return endpoint{path.out_address, port};
  }
  return std::nullopt;
}

// An ICMP error quoting a packet of a translated flow, as its receiver must
// see it. `dir`: the direction the quote's reverse matched, so the quote is a
// packet of the other one; it left here rewritten, and is put back as its
// sender sent it. The error goes to that sender, and an error from the host
// the quoted packet was for comes from the address that host had before NAT.
std::optional<error_translation> error_about_translated(const flow_entry& e, direction dir, const packet_facts& facts) {
  if (!e.source_translated() && !e.destination_translated()) return std::nullopt;
  const flow_tuple& sent = dir == direction::reply ? e.original : e.reply; // the quoted packet, before NAT
  const flow_tuple& left = dir == direction::reply ? e.reply : e.original; // its answers' tuple: the quote reversed
  error_translation t;
  t.quoted_source = {sent.source, sent.source_port};
  t.quoted_destination = {sent.destination, sent.destination_port};
  t.destination = sent.source;
  t.source = facts.flow.source == left.source ? sent.destination : facts.flow.source;
  return t;
}

const chain& chain_for(const rule_set& rules, const packet_path& path) {
  return path.to_us ? rules.input() : rules.forward();
}

} // namespace

filter_decision judge(flow_store& flows, const rule_set& rules, const judged_packet& packet) {
  const auto& facts = packet.facts;
  const auto& route = packet.route;
  auto in_link = packet.in_link;
  auto bytes = packet.bytes;
  auto now = packet.now;
  const auto* trace = packet.trace;
  filter_decision d;
  std::optional<flow_match> match;
  ipv4_address destination = facts.flow.destination;

  if (facts.is_icmp_error) {
    match = flows.find(lookup_tuple(facts), now);
    d.state = match ? connection_state::related : connection_state::invalid;
    if (match) {
      d.error = error_about_translated(flows.entry(match->id), match->dir, facts);
      if (d.error) destination = d.error->destination;
    }
  } else if (facts.is_fragment) {
    d.state = connection_state::invalid; // not reassembled here: no ports to find its flow by
  } else if (facts.flow.protocol == ip_protocol::tcp && !valid_tcp_flags(facts.tcp_flags)) {
    d.state = connection_state::invalid; // and the flow it names is left as it was
  } else if ((match = flows.find(facts.flow, now))) {
    d.state = flows.update(*match, facts, bytes, now);
    const auto& e = flows.entry(match->id);
    if (match->dir == direction::original) {
      if (e.source_translated()) d.new_source = endpoint{e.reply.destination, e.reply.destination_port};
      if (e.destination_translated()) {
        d.new_destination = endpoint{e.reply.source, e.reply.source_port};
        destination = e.reply.source;
      }
    } else {
      if (e.source_translated()) {
        d.new_destination = endpoint{e.original.source, e.original.source_port};
        destination = e.original.source;
      }
      if (e.destination_translated()) d.new_source = endpoint{e.original.destination, e.original.destination_port};
    }
  } else if (!may_open_flow(facts)) {
    d.state = connection_state::invalid;
  } else {
    d.state = connection_state::new_flow;
    for (const auto& n : rules.nat()) { // a port forward (prerouting)
      if (n.what != nat_rule::kind::port_forward || !n.link.contains(in_link) || n.protocol != facts.flow.protocol ||
          !n.ports.contains(facts.flow.destination_port) || !route(facts.flow.destination).to_us)
        continue;
      d.new_destination = endpoint{n.to, n.to_port ? n.to_port : facts.flow.destination_port};
      destination = n.to;
      break;
    }
  }

  d.path = route(destination);
  if (d.state == connection_state::established && !d.path.to_us == !flows.entry(match->id).to_us) {
    d.skipped_rules = true;
    return d;
  }
  const auto& c = chain_for(rules, d.path);
  // The rules see the packet as it will leave: after a port forward, with its new destination.
  packet_facts judged = facts;
  if (d.new_destination) {
    judged.flow.destination = d.new_destination->address;
    judged.flow.destination_port = d.new_destination->port;
  }
  rule_input in{in_link, d.path.to_us ? std::nullopt : d.path.out_link, &judged, d.state};
  std::function<void(const rule&, bool)> met;
  if (trace && trace->rule_met) met = [&](const rule& r, bool hit) { trace->rule_met(c, r, hit); };
  auto outcome = rules.evaluate(c, in, bytes, met);
  d.by = outcome.by;
  if (outcome.verdict != action::accept) {
    d.what = outcome.verdict == action::drop ? filter_decision::kind::drop : filter_decision::kind::reject;
    return d;
  }
  if (d.state == connection_state::invalid && !d.by) {
    // No rule spoke for it and the policy accepts: an untrackable packet passes as nftables lets it.
    return d;
  }
  if (d.state != connection_state::new_flow || match) return d;

  flow_tuple reply = facts.flow.reversed();
  if (d.new_destination) {
    reply.source = d.new_destination->address;
    reply.source_port = d.new_destination->port;
    if (facts.flow.protocol == ip_protocol::icmp) reply.destination_port = d.new_destination->port;
  }
  if (!d.path.to_us) {
    if (auto source = masquerade_source(flows, rules, facts.flow, d.path, now)) {
      reply.destination = source->address;
      reply.destination_port = source->port;
      if (facts.flow.protocol == ip_protocol::icmp) reply.source_port = source->port;
      if (source->address != facts.flow.source || source->port != facts.flow.source_port) d.new_source = source;
    }
  }
  auto added = flows.add(facts.flow, reply, d.path.to_us, now);
  if (!added) {
    d.what = filter_decision::kind::table_full;
    d.new_source.reset();
    d.new_destination.reset();
    return d;
  }
  d.made_room = added->made_room;
  flows.update({added->id, direction::original}, facts, bytes, now);
  return d;
}

} // namespace etherbeam::apps::firewall
