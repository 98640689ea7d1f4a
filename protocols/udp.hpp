#pragma once
// UDP (RFC 768) with the IPv4 pseudo-header checksum.
#include <cstdint>

#include "protocols/addresses.hpp"
#include "protocols/parse_result.hpp"

namespace etherbeam::protocols {

class udp_packet {
public:
  static constexpr std::size_t header_len = 8;

  // Checks the header and the length field against the IP payload it came in.
  static parsed<udp_packet> check(byte_view ip_payload);
  udp_packet() = default;

  std::uint16_t source_port() const { return read_be16(bytes_, 0); }
  std::uint16_t destination_port() const { return read_be16(bytes_, 2); }
  std::uint16_t length() const { return read_be16(bytes_, 4); }
  std::uint16_t checksum() const { return read_be16(bytes_, 6); }
  byte_view payload() const { return bytes_.subspan(header_len); }
  // A zero checksum field means the sender did not compute one (RFC 768).
  bool checksum_valid(ipv4_address source, ipv4_address destination) const;

private:
  explicit udp_packet(byte_view b) : bytes_(b) {}
  byte_view bytes_; // exactly length() bytes
};

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
