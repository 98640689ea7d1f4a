#pragma once
// A whole frame as representations, smoltcp-style: a decision says what to
// send (Ethernet + ARP, or Ethernet + IPv4 + ICMP echo, ICMP error, UDP or a bare TCP header) and this one
// emitter writes it, filling in what follows from the layers (ethertype, IP
// protocol and payload length, checksums). No responder writes headers layer
// by layer.
#include <variant>

#include "protocols/arp.hpp"
#include "protocols/ethernet.hpp"
#include "protocols/icmpv4.hpp"
#include "protocols/ipv4.hpp"
#include "protocols/tcp.hpp"
#include "protocols/udp.hpp"

namespace etherbeam::protocols {

struct ipv4_datagram_repr {
  ipv4_repr header; // protocol and payload_len are set by the emitter
  std::variant<icmpv4_echo_repr, icmpv4_error_repr, udp_repr, tcp_header_repr> payload;
};

struct frame_repr {
  ethernet_repr ethernet; // ethertype is set by the emitter
  std::variant<arp_repr, ipv4_datagram_repr> payload;

  std::size_t buffer_len() const;
  // Writes the frame into `out` and returns its length, or 0 (nothing
  // written) when `out` is too small.
  std::size_t emit(byte_buffer out) const;
};

// The Ethernet header of a reply: back to the request's source, on its VLANs.
ethernet_repr answering(const ethernet_repr& request, const mac_address& me);
// The IPv4 header of a reply from `local` (the owned address the request
// was for): type of service, identification and DF as the request had them,
// as Linux answers an echo.
ipv4_repr answering(const ipv4_repr& request, ipv4_address local);

// An ICMP error about `about` (a checked IPv4 packet) back to its source, as
// Linux sends one: from `from`, framed with `link`, type of service 0xc0
// (internetwork control), TTL 64, no DF, quoting as much of `about` as fits
// in `out` and in 576 bytes (never less than its header and 8 bytes). Its
// length, or 0 when `out` cannot hold it.
std::size_t emit_icmp_error(const ethernet_repr& link, ipv4_address from, const ipv4_packet& about,
                            std::uint8_t type, std::uint8_t code, std::uint32_t rest, byte_buffer out);

// The TCP reset answering the segment `about` carries (RFC 9293 §3.10.7.1),
// as Linux sends one: from the address it was sent to, framed with `link`,
// DF set, TTL 64, identification 0, with `type_of_service`. 0 (nothing
// written) for a reset, a segment whose header does not fit, or an `out`
// too small.
std::size_t emit_tcp_reset(const ethernet_repr& link, const ipv4_packet& about, std::uint8_t type_of_service,
                           byte_buffer out);

} // namespace etherbeam::protocols
