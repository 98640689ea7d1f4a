#include "protocols/icmpv4.hpp"

#include <algorithm>

#include "protocols/checksum.hpp"

namespace etherbeam::protocols {

template <class Byte>
parsed<basic_icmpv4_packet<Byte>> basic_icmpv4_packet<Byte>::check(bytes_type bytes) {
  if (bytes.size() < header_len) return parse_error::truncated;
  return basic_icmpv4_packet{bytes};
}

template parsed<icmpv4_packet> icmpv4_packet::check(byte_view);

template <class Byte>
bool basic_icmpv4_packet<Byte>::checksum_valid() const {
  return internet_checksum{}.add(byte_view(bytes_)).verifies();
}

template <class Byte>
void basic_icmpv4_packet<Byte>::fill_checksum() {
  write_be16(bytes_, icmpv4_field::checksum, 0);
  write_be16(bytes_, icmpv4_field::checksum, checksum_of(bytes_));
}

template void icmpv4_packet_writer::fill_checksum();

// Only the members defined here (see ipv4.cpp).
template bool basic_icmpv4_packet<const std::uint8_t>::checksum_valid() const;
template bool basic_icmpv4_packet<std::uint8_t>::checksum_valid() const;

parsed<icmpv4_echo_repr> icmpv4_echo_repr::parse(const icmpv4_packet& p) {
  if (!p.checksum_valid()) return parse_error::bad_checksum;
  bool request = p.type() == icmpv4_type::echo_request;
  if (!request && p.type() != icmpv4_type::echo_reply) return parse_error::bad_operation;
  return icmpv4_echo_repr{request, p.echo_identifier(), p.echo_sequence(), p.data(), p.code()};
}

void icmpv4_echo_repr::emit(byte_buffer out) const {
  auto p = icmpv4_packet_writer::new_unchecked(out.first(buffer_len()));
  p.set_type(is_request ? icmpv4_type::echo_request : icmpv4_type::echo_reply);
  p.set_code(code);
  p.set_echo_identifier(identifier);
  p.set_echo_sequence(sequence);
  std::copy(data.begin(), data.end(), out.begin() + icmpv4_packet::header_len);
  p.fill_checksum();
}

byte_view icmpv4_error_repr::quote_of(byte_view datagram, std::size_t header_len, std::size_t room) {
  auto least = std::min(datagram.size(), header_len + 8);
  return datagram.first(std::max(least, std::min({datagram.size(), room, max_quote})));
}

void icmpv4_error_repr::emit(byte_buffer out) const {
  auto p = icmpv4_packet_writer::new_unchecked(out.first(buffer_len()));
  p.set_type(type);
  p.set_code(code);
  p.set_rest_of_header(rest);
  std::copy(quoted.begin(), quoted.end(), out.begin() + icmpv4_packet::header_len);
  p.fill_checksum();
}

} // namespace etherbeam::protocols
