#include "apps/router/router_deciders.hpp"

#include <algorithm>
#include <cstring>

#include "apps/router/forwarding.hpp"
#include "protocols/arp.hpp"
#include "protocols/frame_repr.hpp"
#include "protocols/icmpv4.hpp"
#include "protocols/ipv4_options.hpp"

namespace etherbeam::apps::router {

using actors::inbound_frame;
using actors::verdict;
using namespace protocols;

forwarding_decider::forwarding_decider(actors::counter_registry& c, std::shared_ptr<const route_table> routes,
                                       std::shared_ptr<const actors::link_directory> links, icmp_error_limits limits,
                                       hand_over to_link, std::shared_ptr<const neighbour_cache> cache)
    : routes_(std::move(routes)), links_(std::move(links)), to_link_(std::move(to_link)), cache_(std::move(cache)),
      forwarded_(c.add("router.forwarded")), handed_over_(c.add("router.routed")), martian_(c.add("ignored.router_martian")),
      time_exceeded_(c.add("reply.icmp_time_exceeded")), net_unreachable_(c.add("reply.icmp_net_unreachable")),
      fragmentation_needed_(c.add("reply.icmp_fragmentation_needed")),
      no_error_allowed_(c.add("ignored.router_no_icmp_error_allowed")),
      rate_limited_(c.add("ignored.icmp_error_rate_limited")),
      neighbour_actor_absent_(c.add("ignored.router_restarting")), source_routed_(c.add("ignored.router_source_routed")),
      redirected_(c.add("reply.icmp_redirect")), errors_(limits.per_second, limits.burst) {}

bool forwarding_decider::redirect_due(const inbound_frame& in, ipv4_address gateway) const {
  if (in.ethernet->destination.is_group()) return false;
  auto both_on = [&](const ipv4_interface& a) { return a.on_subnet(in.ip->source) && a.on_subnet(gateway); };
  bool same_subnet = std::any_of(in.me->addresses.begin(), in.me->addresses.end(), both_on) ||
                     std::any_of(in.me->joined.begin(), in.me->joined.end(), both_on);
  if (!same_subnet) return false;
  std::lock_guard guard(redirect_lock_);
  return redirects_.may_send(in.ip->source.value, redirect_backoff::clock::now());
}

verdict forwarding_decider::decide_translated(const inbound_frame& in, const inbound_frame& as_sent,
                                             byte_buffer reply) const {
  auto& because = *in.unclaimed_because;
  // A router routes IPv4 sent to its own MAC, for an address that is not one of its own.
  if (!in.ip || !in.me->mac || in.ethernet->destination != *in.me->mac) return verdict::ignore(because);
  if (in.me->owns(in.ip->destination) || in.me->broadcast_owner(in.ip->destination)) return verdict::ignore(because);
  for (actors::link_index i = 0; i < links_->size(); ++i)
    if (links_->identity(i)->owns(in.ip->destination)) return verdict::ignore(because); // ours on another link

  auto decision = decide_forwarding(*in.ip_packet, *routes_,
                                    [this](actors::link_index l) { return links_->identity(l)->link_mtu(); });
  using kind = forwarding_decision::kind;
  switch (decision.what) {
    case kind::martian: return verdict::ignore(martian_);
    case kind::time_exceeded:
      return icmp_error(as_sent, reply, icmpv4_type::time_exceeded, icmpv4_time_exceeded::in_transit, 0,
                        time_exceeded_);
    case kind::net_unreachable:
      return icmp_error(as_sent, reply, icmpv4_type::destination_unreachable, icmpv4_unreachable::net, 0,
                        net_unreachable_);
    case kind::fragmentation_needed: // RFC 1191: the next-hop MTU in the low 16 bits
      return icmp_error(as_sent, reply, icmpv4_type::destination_unreachable, icmpv4_unreachable::fragmentation_needed,
                        decision.next_hop_mtu, fragmentation_needed_);
    case kind::forward: break;
  }
  auto datagram = in.ethernet_payload.first(in.ip_packet->total_len());
  auto header_len = in.ip_packet->header_len();
  // The header as it leaves: TTL one lower, and what its options ask of a router.
  auto leaving = [&](byte_buffer header) {
    router::decrement_ttl(header);
    if (header.size() == ipv4_packet::min_header_len) return options_outcome::none;
    auto address = links_->identity(decision.hop.link)->address_facing(decision.hop.address);
    return record_route_and_time(header, address.value_or(ipv4_address{}), ms_since_midnight_ut());
  };
  // Back out the link it came in by: forwarded all the same, through the neighbour
  // actor, as the reply is then a host redirect (code 1) naming the gateway its
  // sender can reach directly.
  // Back out the link it came in by, or another port of the same bridge (Linux's br0 in, br0 out).
  bool same_segment = decision.hop.link == in.link ||
                      std::find(in.me->bridged.begin(), in.me->bridged.end(), decision.hop.link) != in.me->bridged.end();
  bool redirect = same_segment && redirect_due(in, decision.hop.address);
  if (cache_ && !redirect) { // the fast path: the next hop's MAC is known
    // By the link it answered on: the route's own, or one bridged with it.
    auto at = cache_->reachable(decision.hop.link, decision.hop.address);
    auto port = at ? links_->identity(at->port) : nullptr;
    constexpr auto link_header = ethernet_frame::base_header_len;
    if (port && port->mac && datagram.size() <= port->link_mtu() && link_header + datagram.size() <= reply.size()) {
      // memmove: a caller may decide a frame in the reply's own buffer.
      std::memmove(reply.data() + link_header, datagram.data(), datagram.size());
      ethernet_repr{at->mac, *port->mac, {}, 0, ethertype::ipv4}.emit(reply);
      if (leaving(reply.subspan(link_header, header_len)) == options_outcome::source_routed)
        return verdict::ignore(source_routed_);
      ++forwarded_;
      return verdict::replied_on(at->port, handed_over_, link_header + datagram.size());
    }
  }
  routed_packet out{actors::frame{datagram}, decision.hop.address};
  if (leaving(out.packet.bytes().first(header_len)) == options_outcome::source_routed)
    return verdict::ignore(source_routed_);
  if (!to_link_(decision.hop.link, std::move(out), in.here)) return verdict::ignore(neighbour_actor_absent_);
  if (!redirect) return verdict::handed_off(handed_over_);
  ++handed_over_;
  return icmp_error(as_sent, reply, icmpv4_type::redirect, 1, decision.hop.address.value, redirected_);
}

verdict forwarding_decider::icmp_error(const inbound_frame& about, byte_buffer reply, std::uint8_t type,
                                       std::uint8_t code, std::uint32_t rest, actors::named_counter& said) const {
  if (!may_send_icmp_error_about(*about.ip_packet, about.ethernet->destination.is_group()))
    return verdict::ignore(no_error_allowed_);
  // From our address on the link it came in on that faces its sender.
  auto local = about.me->address_facing(about.ip->source);
  if (!local) return verdict::ignore(no_error_allowed_);
  if (!errors_.take()) return verdict::ignore(rate_limited_);
  auto len = emit_icmp_error(answering(*about.ethernet, *about.me->mac), *local, *about.ip_packet, type, code, rest,
                             reply);
  if (len == 0) return verdict::ignore(no_error_allowed_); // never with min_reply_room
  return verdict::replied(said, len);
}

verdict arp_listener::decide(const inbound_frame& in, byte_buffer) const {
  if (in.ethernet->ethertype != ethertype::arp || !in.me->mac) return verdict::pass();
  auto packet = arp_packet::check(in.ethernet_payload);
  if (!packet) return verdict::pass();
  auto arp = arp_repr::parse(*packet);
  if (!arp || arp->sender_protocol.is_unspecified() || arp->sender_hardware.is_group()) return verdict::pass();
  bool reply_to_us = arp->operation == arp_operation::reply && arp->target_hardware == *in.me->mac;
  bool asks_us = arp->operation == arp_operation::request && in.me->owns(arp->target_protocol);
  // Any other ARP from a host on the link's subnets updates what is known of it, as
  // Linux's arp_process does (a host that moved announces itself so).
  bool update_only = !reply_to_us && !asks_us;
  if (update_only && !in.me->address_facing(arp->sender_protocol)) return verdict::pass();
  // A bridged link's neighbours may answer on any member: every member's actor hears it.
  arp_heard heard{arp->sender_protocol, arp->sender_hardware, in.link, reply_to_us, update_only};
  to_neighbours_(in.link, heard, in.here);
  for (auto l : in.me->bridged) to_neighbours_(l, heard, in.here);
  return verdict::pass();
}

} // namespace etherbeam::apps::router
