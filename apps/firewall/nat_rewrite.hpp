#pragma once
// Rewriting a packet's address and port for NAT, with every checksum the
// change touches updated incrementally (RFC 1624): the IPv4 header's, TCP's
// and UDP's (their pseudo-header holds the addresses; a UDP checksum of zero,
// "none", stays zero) and ICMP's (an echo's identifier stands in for the
// port). For an ICMP error about a translated flow, the datagram it quotes is
// rewritten too, so the host behind the NAT recognises its own packet. Pure.
#include <cstdint>

#include "protocols/addresses.hpp"
#include "protocols/bytes.hpp"

namespace etherbeam::apps::firewall {

struct endpoint {
  protocols::ipv4_address address;
  std::uint16_t port = 0; // TCP/UDP port, or ICMP echo identifier
};

enum class packet_side : std::uint8_t { source, destination };

// `packet`: one IPv4 datagram (header checked, not a non-first fragment).
void translate(protocols::byte_buffer packet, packet_side side, endpoint to);

// An ICMP error about a packet NAT rewrote, as the host it goes to must see
// it: its own addresses, and the packet it quotes as that was before NAT.
struct error_translation {
  protocols::ipv4_address source, destination; // the error's
  endpoint quoted_source, quoted_destination;  // the quoted packet's
};

// `packet`: an ICMP error (its quote at least an IP header and 8 bytes).
// The quote's checksums and ICMP's own are updated.
void translate_error(protocols::byte_buffer packet, const error_translation& to);

} // namespace etherbeam::apps::firewall
