#pragma once
// ICMPv4 (RFC 792). Only echo is understood in depth; other messages are
// recognised by type so they can be counted and ignored.
#include <cstdint>

#include "protocols/bytes.hpp"
#include "protocols/parse_result.hpp"

namespace etherbeam::protocols {

namespace icmpv4_type {
inline constexpr std::uint8_t echo_reply = 0;
inline constexpr std::uint8_t destination_unreachable = 3;
inline constexpr std::uint8_t echo_request = 8;
} // namespace icmpv4_type

class icmpv4_packet {
public:
  static constexpr std::size_t header_len = 8;

  static parsed<icmpv4_packet> check(byte_view bytes);
  icmpv4_packet() = default;

  std::uint8_t type() const { return bytes_[0]; }
  std::uint8_t code() const { return bytes_[1]; }
  std::uint16_t checksum() const { return read_be16(bytes_, 2); }
  // Echo request/reply fields (RFC 792 p.14); meaningless for other types.
  std::uint16_t echo_identifier() const { return read_be16(bytes_, 4); }
  std::uint16_t echo_sequence() const { return read_be16(bytes_, 6); }
  byte_view data() const { return bytes_.subspan(header_len); }
  bool checksum_valid() const;

private:
  explicit icmpv4_packet(byte_view b) : bytes_(b) {}
  byte_view bytes_;
};

// An echo request or reply. `data` refers into the parsed buffer: the echo's
// payload is carried over unchanged, never copied into the repr.
struct icmpv4_echo_repr {
  bool is_request = true;
  std::uint16_t identifier = 0;
  std::uint16_t sequence = 0;
  byte_view data;

  // Fails with bad_checksum, or bad_operation for a type that is not an echo.
  static parsed<icmpv4_echo_repr> parse(const icmpv4_packet& packet);
  std::size_t buffer_len() const { return icmpv4_packet::header_len + data.size(); }
  void emit(byte_buffer out) const;
};

} // namespace etherbeam::protocols
