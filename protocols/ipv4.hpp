#pragma once
// IPv4 headers (RFC 791): options are skipped over, fragments are reported as
// such (this stack does not reassemble), the header checksum is verified on
// input and computed on output.
#include <cstdint>

#include "protocols/addresses.hpp"
#include "protocols/parse_result.hpp"

namespace etherbeam::protocols {

namespace ip_protocol {
inline constexpr std::uint8_t icmp = 1;
inline constexpr std::uint8_t tcp = 6;
inline constexpr std::uint8_t udp = 17;
} // namespace ip_protocol

class ipv4_packet {
public:
  static constexpr std::size_t min_header_len = 20;

  // Checks that the header and the total length it claims fit in `bytes`;
  // bytes past total_length (Ethernet padding) are not part of the packet.
  static parsed<ipv4_packet> check(byte_view bytes);
  ipv4_packet() = default;

  std::uint8_t version() const { return bytes_[0] >> 4; }
  std::size_t header_len() const { return std::size_t(bytes_[0] & 0x0f) * 4; }
  std::uint8_t type_of_service() const { return bytes_[1]; }
  std::uint16_t total_len() const { return read_be16(bytes_, 2); }
  std::uint16_t identification() const { return read_be16(bytes_, 4); }
  bool dont_fragment() const { return (bytes_[6] & 0x40) != 0; }
  bool more_fragments() const { return (bytes_[6] & 0x20) != 0; }
  std::uint16_t fragment_offset() const { return read_be16(bytes_, 6) & 0x1fff; } // 8-byte units
  bool is_fragment() const { return more_fragments() || fragment_offset() != 0; }
  std::uint8_t ttl() const { return bytes_[8]; }
  std::uint8_t protocol() const { return bytes_[9]; }
  std::uint16_t header_checksum() const { return read_be16(bytes_, 10); }
  ipv4_address source() const { return ipv4_address::read(bytes_, 12); }
  ipv4_address destination() const { return ipv4_address::read(bytes_, 16); }
  byte_view options() const { return bytes_.subspan(min_header_len, header_len() - min_header_len); }
  byte_view payload() const { return bytes_.subspan(header_len()); }
  bool checksum_valid() const;

private:
  explicit ipv4_packet(byte_view b) : bytes_(b) {}
  byte_view bytes_; // exactly total_len() bytes
};

struct ipv4_repr {
  ipv4_address source;
  ipv4_address destination;
  std::uint8_t protocol = 0;
  std::uint8_t ttl = 64;
  std::uint8_t type_of_service = 0;
  std::uint16_t identification = 0;
  bool dont_fragment = false;
  bool more_fragments = false;
  std::uint16_t fragment_offset = 0;
  std::uint16_t payload_len = 0;

  // Refuses a header whose checksum does not verify.
  static parsed<ipv4_repr> parse(const ipv4_packet& packet);
  // Emitted headers carry no options.
  static constexpr std::size_t header_len() { return ipv4_packet::min_header_len; }
  void emit(byte_buffer out) const;
};

} // namespace etherbeam::protocols
