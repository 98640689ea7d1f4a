#pragma once
// The IPv4 options a host or router acts on (RFC 791 §3.1): Record Route and
// Internet Timestamp get the address it is seen by (a router's on the
// out-link, RFC 1812 §5.2.4; a host's in its echo reply, RFC 1122 §3.2.2.6)
// and the time in their next free slot; a full timestamp option counts one
// more hop in its overflow field. Source routes are only reported: Linux
// refuses them by default (net.ipv4.conf.*.accept_source_route=0), and so
// does etherbeam. Pure.
#include <cstdint>

#include "protocols/addresses.hpp"
#include "protocols/bytes.hpp"

namespace etherbeam::protocols {

enum class options_outcome : std::uint8_t { none, recorded, source_routed };

// `header`: an IPv4 header with its options (longer than 20 bytes);
// `ms_since_midnight`: the time in milliseconds since midnight UT. On
// `recorded` the header checksum is computed anew.
options_outcome record_route_and_time(byte_buffer header, ipv4_address address, std::uint32_t ms_since_midnight);

// Milliseconds since midnight UT now: the Timestamp option's clock.
std::uint32_t ms_since_midnight_ut();

} // namespace etherbeam::protocols
