#include "actors/responder.hpp"

#include "protocols/arp.hpp"
#include "protocols/dhcp.hpp"
#include "protocols/ethernet.hpp"
#include "protocols/icmpv4.hpp"
#include "protocols/ipv4.hpp"
#include "protocols/udp.hpp"

namespace etherbeam::actors {

using namespace protocols;

namespace {

// Replies go back the way the request came: to its source MAC, on its VLANs.
ethernet_repr reply_header(const ethernet_repr& request, const mac_address& me,
                           std::uint16_t type) {
  ethernet_repr r = request;
  r.destination = request.source;
  r.source = me;
  r.ethertype = type;
  return r;
}

verdict answer_arp(const ethernet_repr& eth, byte_view payload, const stack_identity& me,
                   byte_buffer out) {
  auto packet = arp_packet::check(payload);
  if (!packet) return verdict::malformed(layer::arp, packet.error());
  auto arp = arp_repr::parse(*packet);
  if (!arp) return verdict::malformed(layer::arp, arp.error());
  if (arp->operation != arp_operation::request) return verdict::ignore(ignore_reason::not_a_request);
  if (!me.owns(arp->target_protocol)) return verdict::ignore(ignore_reason::not_our_address);
  // RFC 5227 §2.4: a gratuitous ARP claiming our own address is a conflict to
  // notice, not a question to answer.
  if (arp->sender_protocol == arp->target_protocol)
    return verdict::ignore(ignore_reason::bad_source_address);

  auto header = reply_header(eth, *me.mac, ethertype::arp);
  header.emit(out);
  arp_repr reply{arp_operation::reply, *me.mac, arp->target_protocol, arp->sender_hardware,
                 arp->sender_protocol};
  reply.emit(out.subspan(header.header_len()));
  return verdict::replied(reply_kind::arp_reply, header.header_len() + arp_repr::buffer_len());
}

verdict answer_icmp(const ethernet_repr& eth, const ipv4_repr& ip, ipv4_address our_address,
                    byte_view payload, const stack_identity& me, byte_buffer out) {
  auto packet = icmpv4_packet::check(payload);
  if (!packet) return verdict::malformed(layer::icmpv4, packet.error());
  if (packet->type() != icmpv4_type::echo_request) return verdict::ignore(ignore_reason::not_a_request);
  auto echo = icmpv4_echo_repr::parse(*packet);
  if (!echo) return verdict::malformed(layer::icmpv4, echo.error());

  auto header = reply_header(eth, *me.mac, ethertype::ipv4);
  icmpv4_echo_repr reply{false, echo->identifier, echo->sequence, echo->data};
  ipv4_repr ip_reply;
  ip_reply.source = our_address;
  ip_reply.destination = ip.source;
  ip_reply.protocol = ip_protocol::icmp;
  ip_reply.type_of_service = ip.type_of_service;
  ip_reply.identification = ip.identification;
  ip_reply.dont_fragment = ip.dont_fragment;
  ip_reply.payload_len = static_cast<std::uint16_t>(reply.buffer_len());

  header.emit(out);
  auto ip_out = out.subspan(header.header_len());
  ip_reply.emit(ip_out);
  reply.emit(ip_out.subspan(ipv4_repr::header_len()));
  return verdict::replied(reply_kind::icmp_echo_reply,
                          header.header_len() + ipv4_repr::header_len() + reply.buffer_len());
}

// DHCP clients send from 0.0.0.0 to 255.255.255.255 before they have an
// address, so DHCP is recognised before the address checks other traffic gets.
std::optional<verdict> hand_to_dhcp(const ethernet_repr& eth, const ipv4_packet& packet,
                                    const ipv4_repr& ip, const stack_identity& me, dhcp_inbound* dhcp) {
  if (!dhcp || ip.protocol != ip_protocol::udp || packet.is_fragment()) return std::nullopt;
  if (!ip.destination.is_limited_broadcast() && !me.owns(ip.destination) && !me.broadcast_owner(ip.destination))
    return std::nullopt;
  auto udp_view = udp_packet::check(packet.payload());
  if (!udp_view || udp_view->destination_port() != dhcp_server_port) return std::nullopt;
  auto udp = udp_repr::parse(*udp_view, ip.source, ip.destination);
  if (!udp) return verdict::malformed(layer::udp, udp.error());
  auto message_view = dhcp_packet::check(udp->payload);
  if (!message_view) return verdict::malformed(layer::dhcp, message_view.error());
  auto message = dhcp_repr::parse(*message_view);
  if (!message) return verdict::malformed(layer::dhcp, message.error());
  dhcp->ethernet = eth;
  dhcp->ip_source = ip.source;
  dhcp->server_mac = *me.mac;
  dhcp->message = *message;
  return verdict::hand_off();
}

verdict answer_ipv4(const ethernet_repr& eth, byte_view payload, const stack_identity& me,
                    byte_buffer out, dhcp_inbound* dhcp) {
  auto packet = ipv4_packet::check(payload);
  if (!packet) return verdict::malformed(layer::ipv4, packet.error());
  auto ip = ipv4_repr::parse(*packet);
  if (!ip) return verdict::malformed(layer::ipv4, ip.error());
  if (auto handed = hand_to_dhcp(eth, *packet, *ip, me, dhcp)) return *handed;

  std::optional<ipv4_address> our_address;
  bool broadcast = false;
  if (me.owns(ip->destination)) {
    our_address = ip->destination;
  } else if (auto owner = me.broadcast_owner(ip->destination)) {
    our_address = owner;
    broadcast = true;
  }
  if (!our_address) return verdict::ignore(ignore_reason::not_our_address);
  if (ip->source.is_unspecified() || ip->source.is_limited_broadcast() ||
      ip->source.is_multicast() || me.broadcast_owner(ip->source))
    return verdict::ignore(ignore_reason::bad_source_address);
  if (packet->is_fragment()) return verdict::ignore(ignore_reason::fragment);

  switch (ip->protocol) {
    case ip_protocol::icmp:
      if (broadcast && !me.answer_broadcast_ping)
        return verdict::ignore(ignore_reason::broadcast_ping_ignored);
      return answer_icmp(eth, *ip, *our_address, packet->payload(), me, out);
    case ip_protocol::udp: {
      auto udp_packet_view = udp_packet::check(packet->payload());
      if (!udp_packet_view) return verdict::malformed(layer::udp, udp_packet_view.error());
      auto udp = udp_repr::parse(*udp_packet_view, ip->source, ip->destination);
      if (!udp) return verdict::malformed(layer::udp, udp.error());
      return verdict::ignore(ignore_reason::no_udp_service);
    }
    default:
      return verdict::ignore(ignore_reason::unsupported_ip_protocol);
  }
}

} // namespace

verdict respond(byte_view frame, const stack_identity& me, byte_buffer reply, dhcp_inbound* dhcp) {
  auto checked = ethernet_frame::check(frame);
  if (!checked) return verdict::malformed(layer::ethernet, checked.error());
  auto eth = ethernet_repr::parse(*checked);
  if (!me.mac) return verdict::ignore(ignore_reason::own_mac_unknown);
  if (eth.source == *me.mac) return verdict::ignore(ignore_reason::own_source_mac);
  if (eth.source.is_group()) return verdict::ignore(ignore_reason::group_source_mac);
  if (eth.destination != *me.mac && !eth.destination.is_broadcast())
    return verdict::ignore(ignore_reason::not_our_mac);

  switch (eth.ethertype) {
    case ethertype::arp: return answer_arp(eth, checked->payload(), me, reply);
    case ethertype::ipv4: return answer_ipv4(eth, checked->payload(), me, reply, dhcp);
    default: return verdict::ignore(ignore_reason::unsupported_ethertype);
  }
}

} // namespace etherbeam::actors
