#pragma once
// What a `reject` rule answers (nft's reject): a TCP reset for a TCP
// segment, else an ICMP port unreachable quoting the packet. Never for a
// frame to a group address, a fragment's tail, a reset, or an ICMP message
// other than an echo request (no errors about errors). Pure.
#include <cstddef>

#include "protocols/addresses.hpp"
#include "protocols/bytes.hpp"
#include "protocols/ethernet.hpp"
#include "protocols/ipv4.hpp"

namespace etherbeam::apps::firewall {

// The answer to `packet` (the IPv4 packet `request` carried), framed from
// `from_mac`: the reset from the address the segment was for, the ICMP
// error from `icmp_from`. Its length in `reply`, or 0 when none is due.
std::size_t emit_reject(const protocols::ethernet_repr& request, const protocols::ipv4_packet& packet,
                        const protocols::mac_address& from_mac, protocols::ipv4_address icmp_from,
                        protocols::byte_buffer reply);

} // namespace etherbeam::apps::firewall
