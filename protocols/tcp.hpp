#pragma once
// TCP headers (RFC 9293 §3.1), as far as etherbeam writes them: a bare
// header with no options and no payload — the reset a firewall's `reject`
// answers a segment with (§3.10.7.1) — and the fields a reader needs.
#include <cstdint>

#include "protocols/addresses.hpp"

namespace etherbeam::protocols {

// Where each field sits in the header: named once.
namespace tcp_field {
inline constexpr std::size_t source_port = 0, destination_port = 2, sequence = 4, acknowledgment = 8,
                             data_offset = 12, flags = 13, window = 14, checksum = 16, urgent = 18;
inline constexpr std::uint8_t fin = 0x01, syn = 0x02, rst = 0x04, psh = 0x08, ack = 0x10, cwr = 0x80;
} // namespace tcp_field

struct tcp_header_repr {
  static constexpr std::size_t header_len = 20;
  std::uint16_t source_port = 0, destination_port = 0;
  std::uint32_t sequence = 0, acknowledgment = 0;
  std::uint8_t flags = 0;
  std::uint16_t window = 0;

  // The reset answering `segment` (a TCP segment from its header on; at
  // least 20 bytes) that carried `payload_len` bytes of data (RFC 9293
  // §3.10.7.1: if it had ACK, RST from its acknowledgment number; else RST+ACK
  // acknowledging all it occupied, SYN and FIN included).
  static tcp_header_repr reset_for(byte_view segment, std::size_t payload_len);
  std::size_t buffer_len() const { return header_len; }
  // Writes the header, with the checksum over the pseudo-header.
  void emit(byte_buffer out, ipv4_address source, ipv4_address destination) const;
};

} // namespace etherbeam::protocols
