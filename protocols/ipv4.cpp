#include "protocols/ipv4.hpp"

#include "protocols/checksum.hpp"

namespace etherbeam::protocols {

template <class Byte>
parsed<basic_ipv4_packet<Byte>> basic_ipv4_packet<Byte>::check(bytes_type bytes) {
  if (bytes.size() < min_header_len) return parse_error::truncated;
  auto unchecked = basic_ipv4_packet{bytes};
  if (unchecked.version() != 4) return parse_error::unsupported_version;
  std::size_t header = unchecked.header_len();
  if (header < min_header_len) return parse_error::bad_length;
  if (bytes.size() < header) return parse_error::truncated;
  std::size_t total = unchecked.total_len();
  if (total < header) return parse_error::bad_length;
  if (bytes.size() < total) return parse_error::truncated;
  return basic_ipv4_packet{bytes.first(total)};
}

template parsed<ipv4_packet> ipv4_packet::check(byte_view);

template <class Byte>
bool basic_ipv4_packet<Byte>::checksum_valid() const {
  return internet_checksum{}.add(byte_view(bytes_).first(header_len())).verifies();
}

template <class Byte>
void basic_ipv4_packet<Byte>::fill_checksum() {
  write_be16(bytes_, ipv4_field::checksum, 0);
  write_be16(bytes_, ipv4_field::checksum, checksum_of(byte_view(bytes_).first(header_len())));
}

template void ipv4_packet_writer::fill_checksum();

// Only the members defined here, not the whole class: clang instantiates a
// whole class's members, setters over const bytes included, constraints or not.
template bool basic_ipv4_packet<const std::uint8_t>::checksum_valid() const;
template bool basic_ipv4_packet<std::uint8_t>::checksum_valid() const;

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
  auto p = ipv4_packet_writer::new_unchecked(out.first(header_len()));
  p.set_version_and_header_len(header_len());
  p.set_type_of_service(type_of_service);
  p.set_total_len(static_cast<std::uint16_t>(header_len() + payload_len));
  p.set_identification(identification);
  p.set_flags_and_fragment_offset(dont_fragment, more_fragments, fragment_offset);
  p.set_ttl(ttl);
  p.set_protocol(protocol);
  p.set_source(source);
  p.set_destination(destination);
  p.fill_checksum();
}

std::uint16_t transport_checksum(byte_view segment, ipv4_address source, ipv4_address destination,
                                 std::uint8_t protocol) {
  return internet_checksum{}
    .add_u32(source.value)
    .add_u32(destination.value)
    .add_u16(protocol)
    .add_u16(static_cast<std::uint16_t>(segment.size()))
    .add(segment)
    .value();
}

} // namespace etherbeam::protocols
