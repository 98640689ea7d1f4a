#pragma once
// UDP (RFC 768) with the IPv4 pseudo-header checksum.
#include <cstdint>
#include <span>
#include <type_traits>

#include "protocols/addresses.hpp"
#include "protocols/parse_result.hpp"

namespace etherbeam::protocols {

// Where each field sits in the header (RFC 768): named once, for the view's
// getters and its setters alike.
namespace udp_field {
inline constexpr std::size_t source_port = 0, destination_port = 2, length = 4, checksum = 6;
} // namespace udp_field

// A view over a UDP datagram: udp_packet reads a checked one; udp_packet_writer
// (over a mutable buffer) also writes its fields.
template <class Byte>
class basic_udp_packet {
public:
  static constexpr std::size_t header_len = 8;
  using bytes_type = std::span<Byte>;

  // Checks the header and the length field against the IP payload it came in.
  static parsed<basic_udp_packet> check(bytes_type ip_payload);
  static basic_udp_packet new_unchecked(bytes_type bytes) { return basic_udp_packet{bytes}; }
  basic_udp_packet() = default;

  std::uint16_t source_port() const { return read_be16(bytes_, udp_field::source_port); }
  std::uint16_t destination_port() const { return read_be16(bytes_, udp_field::destination_port); }
  std::uint16_t length() const { return read_be16(bytes_, udp_field::length); }
  std::uint16_t checksum() const { return read_be16(bytes_, udp_field::checksum); }
  byte_view payload() const { return byte_view(bytes_).subspan(header_len); }
  // A zero checksum field means the sender did not compute one (RFC 768).
  bool checksum_valid(ipv4_address source, ipv4_address destination) const;

  void set_source_port(std::uint16_t v) requires (!std::is_const_v<Byte>) {
    write_be16(bytes_, udp_field::source_port, v);
  }
  void set_destination_port(std::uint16_t v) requires (!std::is_const_v<Byte>) {
    write_be16(bytes_, udp_field::destination_port, v);
  }
  void set_length(std::uint16_t v) requires (!std::is_const_v<Byte>) { write_be16(bytes_, udp_field::length, v); }
  // The checksum over the pseudo-header and the datagram as it stands.
  void fill_checksum(ipv4_address source, ipv4_address destination); // over mutable bytes only

private:
  explicit basic_udp_packet(bytes_type b) : bytes_(b) {}
  bytes_type bytes_; // exactly length() bytes once checked
};

using udp_packet = basic_udp_packet<const std::uint8_t>;
using udp_packet_writer = basic_udp_packet<std::uint8_t>;

struct udp_repr {
  std::uint16_t source_port = 0;
  std::uint16_t destination_port = 0;
  byte_view payload;

  static parsed<udp_repr> parse(const udp_packet& packet, ipv4_address source,
                                ipv4_address destination);
  std::size_t buffer_len() const { return udp_packet::header_len + payload.size(); }
  // Writes header and payload, with the checksum over the pseudo-header.
  void emit(byte_buffer out, ipv4_address source, ipv4_address destination) const;
};

} // namespace etherbeam::protocols
