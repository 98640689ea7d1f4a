#pragma once
// Frames a DHCP reply for the wire, addressed by RFC 2131 §4.1: to the relay
// when there is one, to ciaddr when the client has an address, by broadcast
// when the client asks for it or cannot yet receive unicast, else to yiaddr
// and chaddr.
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "apps/dhcp/dhcp_server.hpp"
#include "protocols/bytes.hpp"

namespace etherbeam::apps::dhcp {

// Enough for any reply we emit: Ethernet with two VLAN tags, IPv4, UDP, and a
// DHCP message fitted to an MTU of at most 1500 bytes.
inline constexpr std::size_t max_dhcp_reply_frame = 1514 + 8;

// The largest DHCP message a reply to `request` may be: the client's maximum
// (option 57, never below 576) and the link's MTU, less the IP and UDP headers.
std::size_t max_dhcp_message_len(const dhcp_inbound& request);

// Writes the whole frame into `out` (at least max_dhcp_reply_frame bytes) and
// returns its length, or 0 when the reply does not fit the client's maximum
// message size.
std::size_t emit_dhcp_reply(const dhcp_inbound& request, const protocols::dhcp_repr& reply,
                            protocols::ipv4_address server_address, protocols::mac_address server_mac,
                            protocols::byte_buffer out);

// RFC 2131 §4.3.1: a server omits the options that do not fit the client's
// maximum message size, never the reply. Emits `reply` with `extra` options
// (ordered by importance, see dhcp_outcome), overloading 'file' and 'sname'
// when they are free, and leaving options out from the last until it fits.
// Returns the frame's length (0 only when even the bare reply does not fit)
// and appends the codes left out to `left_out`.
std::size_t emit_fitting_dhcp_reply(const dhcp_inbound& request, protocols::dhcp_repr reply,
                                    std::span<const protocols::dhcp_option> extra,
                                    protocols::ipv4_address server_address, protocols::mac_address server_mac,
                                    protocols::byte_buffer out, std::vector<std::uint8_t>& left_out);

} // namespace etherbeam::apps::dhcp
