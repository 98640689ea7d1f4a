#include "protocols/tcp.hpp"

#include <algorithm>

#include "protocols/ipv4.hpp"

namespace etherbeam::protocols {

tcp_header_repr tcp_header_repr::reset_for(byte_view segment, std::size_t payload_len) {
  tcp_header_repr r;
  r.source_port = read_be16(segment, tcp_field::destination_port);
  r.destination_port = read_be16(segment, tcp_field::source_port);
  std::uint8_t flags = segment[tcp_field::flags];
  if (flags & tcp_field::ack) {
    r.sequence = read_be32(segment, tcp_field::acknowledgment);
    r.flags = tcp_field::rst;
  } else {
    std::uint32_t occupied = static_cast<std::uint32_t>(payload_len) + ((flags & tcp_field::syn) ? 1 : 0) +
                             ((flags & tcp_field::fin) ? 1 : 0);
    r.acknowledgment = read_be32(segment, tcp_field::sequence) + occupied;
    r.flags = tcp_field::rst | tcp_field::ack;
  }
  return r;
}

void tcp_header_repr::emit(byte_buffer out, ipv4_address source, ipv4_address destination) const {
  std::fill(out.begin(), out.begin() + header_len, 0);
  write_be16(out, tcp_field::source_port, source_port);
  write_be16(out, tcp_field::destination_port, destination_port);
  write_be32(out, tcp_field::sequence, sequence);
  write_be32(out, tcp_field::acknowledgment, acknowledgment);
  out[tcp_field::data_offset] = static_cast<std::uint8_t>((header_len / 4) << 4);
  out[tcp_field::flags] = flags;
  write_be16(out, tcp_field::window, window);
  write_be16(out, tcp_field::checksum, transport_checksum(out.first(header_len), source, destination, ip_protocol::tcp));
}

} // namespace etherbeam::protocols
