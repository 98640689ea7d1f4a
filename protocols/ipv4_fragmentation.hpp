#pragma once
// IPv4 fragmentation (RFC 791 §3.2, "An Example Fragmentation Procedure"): a
// frame whose packet is longer than the link MTU leaves as several frames,
// each fragment's payload a multiple of 8 bytes but the last. Options whose
// "copied" flag is set go into every fragment, the others only into the
// first. Pure.
#include <cstdint>
#include <functional>

#include "protocols/ipv4.hpp"

namespace etherbeam::protocols {

enum class fragmentation : std::uint8_t {
  fits,          // the packet fits the MTU: nothing emitted, send the frame as it is
  fragmented,    // each fragment went to `emit`
  dont_fragment, // too long, and DF forbids fragmenting it
  not_ipv4,      // no well-formed IPv4 packet after the link header
  mtu_too_small, // not even 8 bytes of payload fit after the header
};

// `frame`: a link header of `link_header_len` bytes, then an IPv4 packet.
// `mtu`: the largest IP packet the link carries. Each fragment, link header
// included, is given to `emit` in order; the bytes are valid during the call.
fragmentation fragment_frame(byte_view frame, std::size_t link_header_len, std::size_t mtu,
                             const std::function<void(byte_view fragment)>& emit);

} // namespace etherbeam::protocols
