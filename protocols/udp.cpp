#include "protocols/udp.hpp"

#include <algorithm>

#include "protocols/ipv4.hpp"

namespace etherbeam::protocols {


template <class Byte>
parsed<basic_udp_packet<Byte>> basic_udp_packet<Byte>::check(bytes_type ip_payload) {
  if (ip_payload.size() < header_len) return parse_error::truncated;
  std::size_t length = basic_udp_packet{ip_payload}.length();
  if (length < header_len) return parse_error::bad_length;
  if (length > ip_payload.size()) return parse_error::truncated;
  return basic_udp_packet{ip_payload.first(length)};
}

template parsed<udp_packet> udp_packet::check(byte_view);

template <class Byte>
bool basic_udp_packet<Byte>::checksum_valid(ipv4_address source, ipv4_address destination) const {
  return checksum() == 0 || transport_checksum(bytes_, source, destination, ip_protocol::udp) == 0;
}

template <class Byte>
void basic_udp_packet<Byte>::fill_checksum(ipv4_address source, ipv4_address destination) {
  write_be16(bytes_, udp_field::checksum, 0);
  auto sum = transport_checksum(bytes_, source, destination, ip_protocol::udp);
  // RFC 768: a computed zero is sent as all ones; zero means "no checksum".
  write_be16(bytes_, udp_field::checksum, sum == 0 ? 0xffff : sum);
}

template void udp_packet_writer::fill_checksum(ipv4_address, ipv4_address);

// Only the members defined here (see ipv4.cpp).
template bool basic_udp_packet<const std::uint8_t>::checksum_valid(ipv4_address, ipv4_address) const;
template bool basic_udp_packet<std::uint8_t>::checksum_valid(ipv4_address, ipv4_address) const;

parsed<udp_repr> udp_repr::parse(const udp_packet& p, ipv4_address source,
                                 ipv4_address destination) {
  if (!p.checksum_valid(source, destination)) return parse_error::bad_checksum;
  return udp_repr{p.source_port(), p.destination_port(), p.payload()};
}

void udp_repr::emit(byte_buffer out, ipv4_address source, ipv4_address destination) const {
  auto length = static_cast<std::uint16_t>(buffer_len());
  auto p = udp_packet_writer::new_unchecked(out.first(length));
  p.set_source_port(source_port);
  p.set_destination_port(destination_port);
  p.set_length(length);
  std::copy(payload.begin(), payload.end(), out.begin() + udp_packet::header_len);
  p.fill_checksum(source, destination);
}

} // namespace etherbeam::protocols
