#pragma once
// ICMPv4 (RFC 792). Only echo is understood in depth; other messages are
// recognised by type so they can be counted and ignored.
#include <cstdint>
#include <span>
#include <type_traits>

#include "protocols/bytes.hpp"
#include "protocols/parse_result.hpp"

namespace etherbeam::protocols {

namespace icmpv4_type {
inline constexpr std::uint8_t echo_reply = 0;
inline constexpr std::uint8_t destination_unreachable = 3;
inline constexpr std::uint8_t redirect = 5;
inline constexpr std::uint8_t echo_request = 8;
inline constexpr std::uint8_t time_exceeded = 11;
} // namespace icmpv4_type

// Codes of destination unreachable (RFC 792, RFC 1812 §5.2.7.1).
namespace icmpv4_unreachable {
inline constexpr std::uint8_t net = 0, host = 1, protocol = 2, port = 3, fragmentation_needed = 4;
} // namespace icmpv4_unreachable

// Codes of time exceeded (RFC 792).
namespace icmpv4_time_exceeded {
inline constexpr std::uint8_t in_transit = 0, reassembly = 1;
} // namespace icmpv4_time_exceeded

// Where each field sits (RFC 792): named once, for getters and setters.
namespace icmpv4_field {
inline constexpr std::size_t type = 0, code = 1, checksum = 2, echo_identifier = 4, echo_sequence = 6;
} // namespace icmpv4_field

// A view over an ICMP message: icmpv4_packet reads a checked one;
// icmpv4_packet_writer (over a mutable buffer) also writes its fields.
template <class Byte>
class basic_icmpv4_packet {
public:
  static constexpr std::size_t header_len = 8;
  using bytes_type = std::span<Byte>;

  static parsed<basic_icmpv4_packet> check(bytes_type bytes);
  static basic_icmpv4_packet new_unchecked(bytes_type bytes) { return basic_icmpv4_packet{bytes}; }
  basic_icmpv4_packet() = default;

  std::uint8_t type() const { return bytes_[icmpv4_field::type]; }
  std::uint8_t code() const { return bytes_[icmpv4_field::code]; }
  std::uint16_t checksum() const { return read_be16(bytes_, icmpv4_field::checksum); }
  // Echo request/reply fields (RFC 792 p.14); meaningless for other types.
  std::uint16_t echo_identifier() const { return read_be16(bytes_, icmpv4_field::echo_identifier); }
  std::uint16_t echo_sequence() const { return read_be16(bytes_, icmpv4_field::echo_sequence); }
  byte_view data() const { return byte_view(bytes_).subspan(header_len); }
  bool checksum_valid() const;

  void set_type(std::uint8_t v) requires (!std::is_const_v<Byte>) { bytes_[icmpv4_field::type] = v; }
  void set_code(std::uint8_t v) requires (!std::is_const_v<Byte>) { bytes_[icmpv4_field::code] = v; }
  void set_echo_identifier(std::uint16_t v) requires (!std::is_const_v<Byte>) {
    write_be16(bytes_, icmpv4_field::echo_identifier, v);
  }
  void set_echo_sequence(std::uint16_t v) requires (!std::is_const_v<Byte>) {
    write_be16(bytes_, icmpv4_field::echo_sequence, v);
  }
  // Bytes 4..7 as one word: unused in most errors (zero), the MTU in others.
  void set_rest_of_header(std::uint32_t v) requires (!std::is_const_v<Byte>) {
    write_be32(bytes_, icmpv4_field::echo_identifier, v);
  }
  // The checksum over the whole message as it stands.
  void fill_checksum(); // over mutable bytes only

private:
  explicit basic_icmpv4_packet(bytes_type b) : bytes_(b) {}
  bytes_type bytes_;
};

using icmpv4_packet = basic_icmpv4_packet<const std::uint8_t>;
using icmpv4_packet_writer = basic_icmpv4_packet<std::uint8_t>;

// An echo request or reply. `data` refers into the parsed buffer: the echo's
// payload is carried over unchanged, never copied into the repr.
struct icmpv4_echo_repr {
  bool is_request = true;
  std::uint16_t identifier = 0;
  std::uint16_t sequence = 0;
  byte_view data;
  // 0 by RFC 792; a request with another is answered with it, as Linux
  // answers (nmap's OS detection sends code 9 to see whether it comes back).
  std::uint8_t code = 0;

  // Fails with bad_checksum, or bad_operation for a type that is not an echo.
  static parsed<icmpv4_echo_repr> parse(const icmpv4_packet& packet);
  std::size_t buffer_len() const { return icmpv4_packet::header_len + data.size(); }
  void emit(byte_buffer out) const;
};

// An error about a datagram that arrived (RFC 792): destination unreachable,
// time exceeded. It quotes the datagram's IP header and at least the first 8
// bytes of its payload, enough for the sender to find the socket it came
// from; as much more as fits in a 576-byte error (RFC 1812 §4.3.2.3, as Linux
// quotes).
struct icmpv4_error_repr {
  std::uint8_t type = icmpv4_type::destination_unreachable;
  std::uint8_t code = 0;
  std::uint32_t rest = 0; // unused, the next-hop MTU of "fragmentation needed", or a redirect's gateway
  byte_view quoted;

  // The most an error quotes: what fits in 576 bytes after its IP and ICMP headers.
  static constexpr std::size_t max_quote = 576 - 20 - icmpv4_packet::header_len;
  // The part of a datagram an error quotes: as much as `room` bytes and
  // max_quote allow, and never less than its header and 8 bytes more.
  static byte_view quote_of(byte_view datagram, std::size_t header_len, std::size_t room);
  std::size_t buffer_len() const { return icmpv4_packet::header_len + quoted.size(); }
  void emit(byte_buffer out) const;
};

} // namespace etherbeam::protocols
