#include "actors/dispatcher.hpp"

#include <algorithm>

namespace etherbeam::actors {

using namespace protocols;

namespace {

// A TCP header's fixed part; the destination port is its bytes 2..3.
constexpr std::size_t tcp_min_header_len = 20;

std::string describe(const frame_match& m) {
  switch (m.what) {
    case frame_match::kind::every_frame: return "every frame";
    case frame_match::kind::ethertype: return "ethertype " + std::to_string(m.number);
    case frame_match::kind::ip_protocol: return "IP protocol " + std::to_string(m.number);
    case frame_match::kind::udp_port: return "UDP port " + std::to_string(m.number);
    case frame_match::kind::tcp_port: return "TCP port " + std::to_string(m.number);
    case frame_match::kind::unclaimed: return "unclaimed frames";
    case frame_match::kind::udp_unserved: return "UDP to ports nobody serves";
    case frame_match::kind::tcp_unserved: return "TCP to ports nobody serves";
    case frame_match::kind::ip_protocol_unserved: return "IP protocols nobody handles";
  }
  return "?";
}

} // namespace

dispatcher::dispatcher(std::vector<registration> registrations, counter_registry& c)
    : registrations_(std::move(registrations)), ethernet_(c.add_layer("ethernet")), ipv4_(c.add_layer("ipv4")),
      udp_(c.add_layer("udp")), tcp_(c.add_layer("tcp")), own_mac_unknown_(c.add("ignored.own_mac_unknown")),
      own_source_mac_(c.add("ignored.own_source_mac")), group_source_mac_(c.add("ignored.group_source_mac")),
      not_our_mac_(c.add("ignored.not_our_mac")), not_our_address_(c.add("ignored.not_our_address")),
      bad_source_address_(c.add("ignored.bad_source_address")),
      unsupported_ethertype_(c.add("ignored.unsupported_ethertype")),
      unsupported_ip_protocol_(c.add("ignored.unsupported_ip_protocol")),
      no_udp_service_(c.add("ignored.no_udp_service")), no_tcp_service_(c.add("ignored.no_tcp_service")),
      fragment_(c.add("ignored.fragment")) {
  std::vector<std::pair<const frame_match*, const std::string*>> claimed;
  for (const auto& r : registrations_) {
    if (!r.decider) throw std::invalid_argument(r.application + ": a registration without a decider");
    const auto& m = r.match;
    auto clash = std::find_if(claimed.begin(), claimed.end(), [&](const auto& seen) {
      return seen.first->what == m.what && seen.first->number == m.number && m.what != frame_match::kind::every_frame;
    });
    if (clash != claimed.end())
      throw registration_clash(describe(m) + " is claimed by both " + *clash->second + " and " + r.application +
                               "; enable only one of them");
    claimed.emplace_back(&m, &r.application);
    port_entry entry{m.number, r.decider.get(), m.from_unconfigured_hosts};
    switch (m.what) {
      case frame_match::kind::every_frame: stages_.push_back(r.decider.get()); break;
      case frame_match::kind::ethertype:
        if (m.number == ethertype::ipv4 || m.number == ethertype::vlan || m.number == ethertype::qinq)
          throw std::invalid_argument(r.application + ": " + describe(m) +
                                      " is the dispatcher's own; register an IP protocol or a port");
        ethertypes_.push_back(entry);
        break;
      case frame_match::kind::ip_protocol:
        if (m.number == ip_protocol::udp || m.number == ip_protocol::tcp)
          throw std::invalid_argument(r.application + ": UDP and TCP go by port; register a port");
        ip_protocols_.push_back(entry);
        break;
      case frame_match::kind::udp_port:
        udp_ports_.push_back(entry);
        any_unconfigured_udp_ |= m.from_unconfigured_hosts;
        break;
      case frame_match::kind::tcp_port: tcp_ports_.push_back(entry); break;
      case frame_match::kind::unclaimed: unclaimed_ = r.decider.get(); break;
      case frame_match::kind::udp_unserved: udp_unserved_ = r.decider.get(); break;
      case frame_match::kind::tcp_unserved: tcp_unserved_ = r.decider.get(); break;
      case frame_match::kind::ip_protocol_unserved: ip_protocol_unserved_ = r.decider.get(); break;
    }
  }
}

void dispatcher::announce(const stack_identity& me, const std::function<void(byte_view)>& send) const {
  std::vector<const frame_decider*> asked; // a decider registered twice announces once
  for (const auto& r : registrations_) {
    if (std::find(asked.begin(), asked.end(), r.decider.get()) != asked.end()) continue;
    asked.push_back(r.decider.get());
    r.decider->announce(me, send);
  }
}

const frame_decider* dispatcher::find(const std::vector<port_entry>& table, std::uint16_t number) {
  for (const auto& e : table)
    if (e.number == number) return e.decider;
  return nullptr;
}

verdict dispatcher::decide(byte_view frame, const stack_identity& me, byte_buffer reply,
                           caf::execution_unit* here, link_index link, const frame_decider* resume_after) const {
  auto checked = ethernet_frame::check(frame);
  if (!checked) return verdict::malformed(ethernet_, checked.error());
  auto eth = ethernet_repr::parse(*checked);
  inbound_frame in;
  in.bytes = frame;
  in.ethernet = &eth;
  in.ethernet_payload = checked->payload();
  in.me = &me;
  in.here = here;
  in.link = link;
  auto first = stages_.begin();
  if (resume_after) {
    first = std::find(stages_.begin(), stages_.end(), resume_after);
    if (first != stages_.end()) ++first;
  }
  for (auto stage = first; stage < stages_.end(); ++stage) {
    auto v = (*stage)->decide(in, reply);
    if (v.outcome != verdict::kind::pass) return v;
  }
  if (!me.mac) return verdict::ignore(own_mac_unknown_);
  if (eth.source == *me.mac) return verdict::ignore(own_source_mac_);
  if (eth.source.is_group()) return verdict::ignore(group_source_mac_);
  if (eth.destination != *me.mac && !eth.destination.is_broadcast()) return unclaimed(in, reply, not_our_mac_);
  if (eth.ethertype == ethertype::ipv4) {
    parsed_layers layers;
    return decide_ipv4(in, layers, reply);
  }
  if (const auto* d = find(ethertypes_, eth.ethertype)) return d->decide(in, reply);
  return unclaimed(in, reply, unsupported_ethertype_);
}

std::optional<verdict> dispatcher::early_udp(inbound_frame& in, parsed_layers& layers, byte_buffer reply) const {
  const auto& ip = *in.ip;
  const auto& me = *in.me;
  if (!any_unconfigured_udp_ || ip.protocol != ip_protocol::udp || in.ip_packet->is_fragment()) return std::nullopt;
  if (!ip.destination.is_limited_broadcast() && !me.owns(ip.destination) && !me.broadcast_owner(ip.destination))
    return std::nullopt;
  auto view = udp_packet::check(in.ip_packet->payload());
  if (!view) return std::nullopt;
  auto entry = std::find_if(udp_ports_.begin(), udp_ports_.end(), [&](const port_entry& e) {
    return e.number == view->destination_port() && e.from_unconfigured_hosts;
  });
  if (entry == udp_ports_.end()) return std::nullopt;
  auto udp = udp_repr::parse(*view, ip.source, ip.destination);
  if (!udp) return verdict::malformed(udp_, udp.error());
  layers.udp = *udp;
  in.udp = &layers.udp;
  if (me.owns(ip.destination)) {
    in.local_address = ip.destination;
  } else if (auto owner = me.broadcast_owner(ip.destination)) {
    in.local_address = *owner;
    in.to_broadcast = true;
  }
  return entry->decider->decide(in, reply);
}

verdict dispatcher::decide_ipv4(inbound_frame& in, parsed_layers& layers, byte_buffer reply) const {
  auto packet = ipv4_packet::check(in.ethernet_payload);
  if (!packet) return verdict::malformed(ipv4_, packet.error());
  auto ip = ipv4_repr::parse(*packet);
  if (!ip) return verdict::malformed(ipv4_, ip.error());
  layers.packet = *packet;
  layers.ip = *ip;
  in.ip_packet = &layers.packet;
  in.ip = &layers.ip;
  if (auto early = early_udp(in, layers, reply)) return *early;

  const auto& me = *in.me;
  if (me.delivers_to(ip->destination)) {
    in.local_address = ip->destination;
  } else if (auto owner = me.broadcast_owner(ip->destination)) {
    in.local_address = *owner;
    in.to_broadcast = true;
  } else {
    return unclaimed(in, reply, not_our_address_);
  }
  // A source that is one of our own addresses is spoofed (the "land" attack: a
  // SYN from our address and port to itself); Linux drops it as a martian.
  if (ip->source.is_unspecified() || ip->source.is_limited_broadcast() || ip->source.is_multicast() ||
      me.broadcast_owner(ip->source) || me.delivers_to(ip->source))
    return verdict::ignore(bad_source_address_);
  if (packet->is_fragment()) return verdict::ignore(fragment_);

  switch (ip->protocol) {
    case ip_protocol::udp: return decide_udp(in, layers, reply);
    case ip_protocol::tcp: return decide_tcp(in, reply);
    default:
      if (const auto* d = find(ip_protocols_, ip->protocol)) return d->decide(in, reply);
      if (ip_protocol_unserved_) return ip_protocol_unserved_->decide(in, reply);
      return unclaimed(in, reply, unsupported_ip_protocol_);
  }
}

verdict dispatcher::decide_udp(inbound_frame& in, parsed_layers& layers, byte_buffer reply) const {
  auto view = udp_packet::check(in.ip_packet->payload());
  if (!view) return verdict::malformed(udp_, view.error());
  auto udp = udp_repr::parse(*view, in.ip->source, in.ip->destination);
  if (!udp) return verdict::malformed(udp_, udp.error());
  layers.udp = *udp;
  in.udp = &layers.udp;
  if (const auto* d = find(udp_ports_, udp->destination_port)) return d->decide(in, reply);
  if (udp_unserved_) return udp_unserved_->decide(in, reply);
  return unclaimed(in, reply, no_udp_service_);
}

verdict dispatcher::decide_tcp(inbound_frame& in, byte_buffer reply) const {
  auto segment = in.ip_packet->payload();
  if (segment.size() < tcp_min_header_len) return verdict::malformed(tcp_, parse_error::truncated);
  if (const auto* d = find(tcp_ports_, read_be16(segment, 2))) return d->decide(in, reply);
  if (tcp_unserved_) return tcp_unserved_->decide(in, reply);
  return unclaimed(in, reply, no_tcp_service_);
}

verdict dispatcher::unclaimed(const inbound_frame& in, byte_buffer reply, named_counter& reason) const {
  if (unclaimed_) {
    auto asked = in;
    asked.unclaimed_because = &reason;
    return unclaimed_->decide(asked, reply);
  }
  return verdict::ignore(reason);
}

} // namespace etherbeam::actors
