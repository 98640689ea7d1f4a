#include "protocols/udp.hpp"

#include <algorithm>

#include "protocols/checksum.hpp"
#include "protocols/ipv4.hpp"

namespace etherbeam::protocols {

namespace {
std::uint16_t pseudo_header_checksum(byte_view datagram, ipv4_address source,
                                     ipv4_address destination) {
  return internet_checksum{}
      .add_u32(source.value)
      .add_u32(destination.value)
      .add_u16(ip_protocol::udp)
      .add_u16(static_cast<std::uint16_t>(datagram.size()))
      .add(datagram)
      .value();
}
} // namespace

parsed<udp_packet> udp_packet::check(byte_view ip_payload) {
  if (ip_payload.size() < header_len) return parse_error::truncated;
  std::size_t length = read_be16(ip_payload, 4);
  if (length < header_len) return parse_error::bad_length;
  if (length > ip_payload.size()) return parse_error::truncated;
  return udp_packet{ip_payload.first(length)};
}

bool udp_packet::checksum_valid(ipv4_address source, ipv4_address destination) const {
  return checksum() == 0 || pseudo_header_checksum(bytes_, source, destination) == 0;
}

parsed<udp_repr> udp_repr::parse(const udp_packet& p, ipv4_address source,
                                 ipv4_address destination) {
  if (!p.checksum_valid(source, destination)) return parse_error::bad_checksum;
  return udp_repr{p.source_port(), p.destination_port(), p.payload()};
}

void udp_repr::emit(byte_buffer out, ipv4_address source, ipv4_address destination) const {
  auto length = static_cast<std::uint16_t>(buffer_len());
  write_be16(out, 0, source_port);
  write_be16(out, 2, destination_port);
  write_be16(out, 4, length);
  write_be16(out, 6, 0);
  std::copy(payload.begin(), payload.end(), out.begin() + udp_packet::header_len);
  auto sum = pseudo_header_checksum(out.first(length), source, destination);
  // RFC 768: a computed zero is sent as all ones; zero means "no checksum".
  write_be16(out, 6, sum == 0 ? 0xffff : sum);
}

} // namespace etherbeam::protocols
