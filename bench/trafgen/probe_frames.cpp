#include "bench/trafgen/probe_frames.hpp"

#include <algorithm>
#include <array>

#include "protocols/arp.hpp"
#include "protocols/ethernet.hpp"
#include "protocols/icmpv4.hpp"
#include "protocols/ipv4.hpp"
#include "protocols/udp.hpp"

namespace etherbeam::bench {

using namespace protocols;

std::size_t emit_echo_request(const probe_endpoints& e, std::uint64_t sequence, std::uint64_t sent_ns,
                              byte_buffer out) {
  std::array<std::uint8_t, echo_payload_len> payload{};
  write_be32(payload, 0, static_cast<std::uint32_t>(sequence >> 32));
  write_be32(payload, 4, static_cast<std::uint32_t>(sequence));
  write_be32(payload, 8, static_cast<std::uint32_t>(sent_ns >> 32));
  write_be32(payload, 12, static_cast<std::uint32_t>(sent_ns));
  for (std::size_t i = 16; i < payload.size(); ++i) payload[i] = static_cast<std::uint8_t>(i);

  ethernet_repr eth;
  eth.destination = e.target_mac;
  eth.source = e.source_mac;
  eth.ethertype = ethertype::ipv4;
  auto identifier = static_cast<std::uint16_t>(e.echo_identifier + sequence % std::max<std::uint16_t>(e.echo_identifiers, 1));
  icmpv4_echo_repr echo{true, identifier, static_cast<std::uint16_t>(sequence), payload};
  ipv4_repr ip;
  ip.source = e.source_ip;
  ip.destination = e.target_ip;
  ip.protocol = 1;
  ip.dont_fragment = true;
  ip.identification = static_cast<std::uint16_t>(sequence);
  ip.payload_len = static_cast<std::uint16_t>(echo.buffer_len());
  eth.emit(out);
  auto ip_bytes = out.subspan(eth.header_len());
  ip.emit(ip_bytes);
  echo.emit(ip_bytes.subspan(ipv4_repr::header_len()));
  return eth.header_len() + ipv4_repr::header_len() + echo.buffer_len();
}

std::size_t emit_udp_datagram(const probe_endpoints& e, std::uint64_t sequence, byte_buffer out) {
  std::array<std::uint8_t, udp_payload_len> payload{};
  write_be32(payload, 0, static_cast<std::uint32_t>(sequence));
  ethernet_repr eth;
  eth.destination = e.target_mac;
  eth.source = e.source_mac;
  eth.ethertype = ethertype::ipv4;
  auto flows = std::max<std::uint16_t>(e.echo_identifiers, 1);
  udp_repr udp{static_cast<std::uint16_t>(1024 + sequence % flows), 9, payload};
  ipv4_repr ip;
  ip.source = e.source_ip;
  ip.destination = e.target_ip;
  ip.protocol = 17;
  ip.identification = static_cast<std::uint16_t>(sequence);
  ip.payload_len = static_cast<std::uint16_t>(udp.buffer_len());
  eth.emit(out);
  auto ip_bytes = out.subspan(eth.header_len());
  ip.emit(ip_bytes);
  udp.emit(ip_bytes.subspan(ipv4_repr::header_len()), e.source_ip, e.target_ip);
  return eth.header_len() + ipv4_repr::header_len() + udp.buffer_len();
}

std::size_t emit_arp_request(const probe_endpoints& e, byte_buffer out) {
  ethernet_repr eth;
  eth.destination = mac_address::broadcast();
  eth.source = e.source_mac;
  eth.ethertype = ethertype::arp;
  arp_repr arp{arp_operation::request, e.source_mac, e.source_ip, mac_address{}, e.target_ip};
  eth.emit(out);
  arp.emit(out.subspan(eth.header_len()));
  return eth.header_len() + arp_repr::buffer_len();
}

std::optional<echo_answer> parse_echo_reply(const probe_endpoints& e, byte_view frame) {
  auto eth = ethernet_frame::check(frame);
  if (!eth || eth->ethertype() != ethertype::ipv4 || eth->vlan_count() != 0) return std::nullopt;
  auto ip = ipv4_packet::check(eth->payload());
  if (!ip || ip->protocol() != 1 || ip->source() != e.target_ip) return std::nullopt;
  auto icmp = icmpv4_packet::check(ip->payload());
  if (!icmp || icmp->type() != icmpv4_type::echo_reply || static_cast<std::uint16_t>(icmp->echo_identifier() - e.echo_identifier) >=
                                                         std::max<std::uint16_t>(e.echo_identifiers, 1))
    return std::nullopt;
  auto data = icmp->data();
  if (data.size() < 16) return std::nullopt;
  auto sequence = (std::uint64_t{read_be32(data, 0)} << 32) | read_be32(data, 4);
  auto sent = (std::uint64_t{read_be32(data, 8)} << 32) | read_be32(data, 12);
  return echo_answer{sequence, sent};
}

std::optional<mac_address> arp_reply_mac(const probe_endpoints& e, byte_view frame) {
  auto eth = ethernet_frame::check(frame);
  if (!eth || eth->ethertype() != ethertype::arp) return std::nullopt;
  auto packet = arp_packet::check(eth->payload());
  if (!packet) return std::nullopt;
  auto arp = arp_repr::parse(*packet);
  if (!arp || arp->operation != arp_operation::reply || arp->sender_protocol != e.target_ip ||
      arp->target_protocol != e.source_ip)
    return std::nullopt;
  return arp->sender_hardware;
}

bool is_arp_reply(const probe_endpoints& e, byte_view frame) { return arp_reply_mac(e, frame).has_value(); }

} // namespace etherbeam::bench
