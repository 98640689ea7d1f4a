#include "protocols/ipv4.hpp"

#include "protocols/checksum.hpp"

namespace etherbeam::protocols {

parsed<ipv4_packet> ipv4_packet::check(byte_view bytes) {
  if (bytes.size() < min_header_len) return parse_error::truncated;
  if ((bytes[0] >> 4) != 4) return parse_error::unsupported_version;
  std::size_t header = std::size_t(bytes[0] & 0x0f) * 4;
  if (header < min_header_len) return parse_error::bad_length;
  if (bytes.size() < header) return parse_error::truncated;
  std::size_t total = read_be16(bytes, 2);
  if (total < header) return parse_error::bad_length;
  if (bytes.size() < total) return parse_error::truncated;
  return ipv4_packet{bytes.first(total)};
}

bool ipv4_packet::checksum_valid() const {
  return internet_checksum{}.add(bytes_.first(header_len())).verifies();
}

parsed<ipv4_repr> ipv4_repr::parse(const ipv4_packet& p) {
  if (!p.checksum_valid()) return parse_error::bad_checksum;
  ipv4_repr r;
  r.source = p.source();
  r.destination = p.destination();
  r.protocol = p.protocol();
  r.ttl = p.ttl();
  r.type_of_service = p.type_of_service();
  r.identification = p.identification();
  r.dont_fragment = p.dont_fragment();
  r.more_fragments = p.more_fragments();
  r.fragment_offset = p.fragment_offset();
  r.payload_len = static_cast<std::uint16_t>(p.total_len() - p.header_len());
  return r;
}

void ipv4_repr::emit(byte_buffer out) const {
  out[0] = 0x45;
  out[1] = type_of_service;
  write_be16(out, 2, static_cast<std::uint16_t>(header_len() + payload_len));
  write_be16(out, 4, identification);
  std::uint16_t flags = (dont_fragment ? 0x4000 : 0) | (more_fragments ? 0x2000 : 0);
  write_be16(out, 6, static_cast<std::uint16_t>(flags | (fragment_offset & 0x1fff)));
  out[8] = ttl;
  out[9] = protocol;
  write_be16(out, 10, 0);
  source.write(out, 12);
  destination.write(out, 16);
  write_be16(out, 10, checksum_of(out.first(header_len())));
}

} // namespace etherbeam::protocols
