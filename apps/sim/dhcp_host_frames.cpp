#include "apps/sim/dhcp_host_frames.hpp"

#include <array>

#include "protocols/arp.hpp"
#include "protocols/dhcp.hpp"
#include "protocols/dhcp_options.hpp"
#include "protocols/ethernet.hpp"
#include "protocols/frame_repr.hpp"
#include "protocols/ipv4.hpp"
#include "protocols/udp.hpp"

namespace etherbeam::apps::sim {

namespace {

// What a Linux client asks for: mask, router, DNS, lease, server, T1, T2.
constexpr std::array<std::uint8_t, 7> asked = {1, 3, 6, 51, 54, 58, 59};

std::optional<protocols::ipv4_address> address_option(const protocols::dhcp_option_areas& areas, std::uint8_t code) {
  auto v = areas.first(code);
  if (!v || v->size() < 4) return std::nullopt;
  return protocols::ipv4_address::read(*v, 0);
}

} // namespace

protocols::ethernet_repr host_ethernet(protocols::mac_address to, protocols::mac_address from, std::uint16_t vlan) {
  protocols::ethernet_repr e{to, from};
  if (vlan) {
    e.vlans[0] = protocols::vlan_tag{protocols::ethertype::vlan, vlan};
    e.vlan_count = 1;
  }
  return e;
}

std::vector<std::uint8_t> client_frame(const client_message& m, const protocols::mac_address& mac,
                                       std::optional<protocols::mac_address> server_mac, std::uint16_t vlan) {
  protocols::dhcp_repr d;
  d.op = protocols::bootp_op::request;
  d.message_type = m.type;
  d.transaction_id = m.transaction_id;
  d.seconds = m.seconds;
  d.client_address = m.client_address;
  d.client_hardware = mac;
  d.requested_address = m.requested;
  d.server_identifier = m.server_id;
  if (m.type == protocols::dhcp_message_type::discover || m.type == protocols::dhcp_message_type::request)
    d.parameter_request_list.assign(asked);
  std::vector<std::uint8_t> dhcp(d.buffer_len());
  dhcp.resize(d.emit(dhcp));

  bool unicast = m.unicast_to && server_mac;
  protocols::ipv4_repr ip;
  ip.source = m.client_address; // 0.0.0.0 until it holds an address (RFC 2131 §4.1)
  ip.destination = unicast ? *m.unicast_to : protocols::ipv4_address{0xffffffffu};
  ip.protocol = protocols::ip_protocol::udp;
  protocols::frame_repr f{
    host_ethernet(unicast ? *server_mac : protocols::mac_address::broadcast(), mac, vlan),
    protocols::ipv4_datagram_repr{ip, protocols::udp_repr{protocols::dhcp_client_port, protocols::dhcp_server_port,
                                                         dhcp}}};
  std::vector<std::uint8_t> out(18 + 20 + 8 + dhcp.size());
  out.resize(f.emit(out));
  return out;
}

std::vector<std::uint8_t> arp_probe(const protocols::mac_address& mac, protocols::ipv4_address address,
                                    std::uint16_t vlan) {
  protocols::frame_repr f{host_ethernet(protocols::mac_address::broadcast(), mac, vlan),
                          protocols::arp_repr{protocols::arp_operation::request, mac, {}, {}, address}};
  std::vector<std::uint8_t> out(64);
  out.resize(f.emit(out));
  return out;
}

std::optional<received_answer> dhcp_answer_in(protocols::byte_view frame, const protocols::mac_address& mac) {
  auto eth = protocols::ethernet_frame::check(frame);
  if (!eth || eth->ethertype() != protocols::ethertype::ipv4) return std::nullopt;
  auto ip = protocols::ipv4_packet::check(eth->payload());
  if (!ip || ip->protocol() != protocols::ip_protocol::udp) return std::nullopt;
  auto udp = protocols::udp_packet::check(ip->payload());
  if (!udp || udp->destination_port() != protocols::dhcp_client_port) return std::nullopt;
  auto packet = protocols::dhcp_packet::check(udp->payload());
  if (!packet || packet->client_hardware() != mac) return std::nullopt;
  auto d = protocols::dhcp_repr::parse(*packet);
  if (!d || d->op != protocols::bootp_op::reply) return std::nullopt;
  received_answer r{server_answer::from(*d), {}, eth->source()};
  auto areas = protocols::dhcp_option_areas::check(packet->options(), packet->file(), packet->sname());
  if (areas) {
    r.options.subnet_mask = d->subnet_mask;
    r.options.router = address_option(*areas, 3);
    r.options.dns = address_option(*areas, 6);
  }
  return r;
}

bool claims_address(protocols::byte_view frame, protocols::ipv4_address address, const protocols::mac_address& mac) {
  auto eth = protocols::ethernet_frame::check(frame);
  if (!eth || eth->ethertype() != protocols::ethertype::arp) return false;
  auto packet = protocols::arp_packet::check(eth->payload());
  if (!packet) return false;
  auto arp = protocols::arp_repr::parse(*packet);
  if (!arp || arp->sender_hardware == mac) return false;
  bool says_it_has = arp->sender_protocol == address;
  bool probes_it = arp->sender_protocol.is_unspecified() && arp->target_protocol == address &&
                   arp->operation == protocols::arp_operation::request;
  return says_it_has || probes_it;
}

} // namespace etherbeam::apps::sim
