#include "apps/firewall/nat_rewrite.hpp"

#include "protocols/checksum.hpp"
#include "protocols/icmpv4.hpp"
#include "protocols/ipv4.hpp"
#include "protocols/udp.hpp"

namespace etherbeam::apps::firewall {

using namespace protocols;

namespace {

constexpr std::size_t tcp_checksum_at = 16;

void adjust_for_address(byte_buffer bytes, std::size_t at, ipv4_address before, ipv4_address after) {
  adjust_checksum(bytes, at, static_cast<std::uint16_t>(before.value >> 16), static_cast<std::uint16_t>(after.value >> 16));
  adjust_checksum(bytes, at, static_cast<std::uint16_t>(before.value), static_cast<std::uint16_t>(after.value));
}

// The transport header's changes, for a new address on `side` and a new port.
// `whole`: whether `l4` holds the whole segment (false in a quoted datagram,
// whose TCP checksum lies beyond the 8 bytes an error quotes).
void translate_transport(std::uint8_t protocol, byte_buffer l4, packet_side side, ipv4_address before_address,
                         endpoint to) {
  std::size_t port_at = side == packet_side::source ? 0 : 2;
  if (protocol == ip_protocol::tcp || protocol == ip_protocol::udp) {
    if (l4.size() < 8) return;
    std::uint16_t before_port = read_be16(l4, port_at);
    write_be16(l4, port_at, to.port);
    std::size_t sum_at = protocol == ip_protocol::tcp ? tcp_checksum_at : udp_field::checksum;
    if (l4.size() < sum_at + 2) return;
    if (protocol == ip_protocol::udp && read_be16(l4, sum_at) == 0) return; // no checksum: none to keep
    adjust_for_address(l4, sum_at, before_address, to.address);
    adjust_checksum(l4, sum_at, before_port, to.port);
    if (protocol == ip_protocol::udp && read_be16(l4, sum_at) == 0) write_be16(l4, sum_at, 0xffff); // RFC 768
  } else if (protocol == ip_protocol::icmp) {
    if (l4.size() < 8 || (l4[0] != icmpv4_type::echo_request && l4[0] != icmpv4_type::echo_reply)) return;
    std::uint16_t before_id = read_be16(l4, icmpv4_field::echo_identifier);
    write_be16(l4, icmpv4_field::echo_identifier, to.port);
    adjust_checksum(l4, icmpv4_field::checksum, before_id, to.port);
  }
}

} // namespace

void translate(byte_buffer packet, packet_side side, endpoint to) {
  std::size_t address_at = side == packet_side::source ? ipv4_field::source : ipv4_field::destination;
  auto before = ipv4_address::read(packet, address_at);
  to.address.write(packet, address_at);
  adjust_for_address(packet, ipv4_field::checksum, before, to.address);
  std::size_t header = std::size_t(packet[0] & 0x0f) * 4;
  std::uint16_t fragment = read_be16(packet, ipv4_field::flags_fragment) & ipv4_field::fragment_offset;
  if (fragment != 0) return; // later fragments carry no transport header
  translate_transport(packet[ipv4_field::protocol], packet.subspan(header), side, before, to);
}

void translate_error(byte_buffer packet, const error_translation& to) {
  std::size_t header = std::size_t(packet[0] & 0x0f) * 4;
  for (auto [at, address] : {std::pair{ipv4_field::source, to.source}, {ipv4_field::destination, to.destination}}) {
    auto before = ipv4_address::read(packet, at);
    address.write(packet, at);
    adjust_for_address(packet, ipv4_field::checksum, before, address);
  }
  auto icmp = packet.subspan(header);
  auto quoted = icmp.subspan(icmpv4_packet::header_len);
  std::size_t quoted_header = std::size_t(quoted[0] & 0x0f) * 4;
  for (auto [side, ep] : {std::pair{packet_side::source, to.quoted_source}, {packet_side::destination, to.quoted_destination}}) {
    std::size_t at = side == packet_side::source ? ipv4_field::source : ipv4_field::destination;
    auto before = ipv4_address::read(quoted, at);
    ep.address.write(quoted, at);
    adjust_for_address(quoted, ipv4_field::checksum, before, ep.address);
    translate_transport(quoted[ipv4_field::protocol], quoted.subspan(quoted_header), side, before, ep);
  }
  // The quote changed in several places: ICMP's checksum over it, recomputed.
  write_be16(icmp, icmpv4_field::checksum, 0);
  write_be16(icmp, icmpv4_field::checksum, checksum_of(icmp));
}

} // namespace etherbeam::apps::firewall
