#pragma once
// Checksum offload: a local sender on veth, a bridge, a tap device or in a
// container hands the kernel TCP and UDP packets whose checksum field holds
// only the pseudo-header sum, for "hardware" to finish. A packet socket sees
// them that way (TP_STATUS_CSUMNOTREADY). Finishing the checksum turns such a
// frame into the one a physical wire would carry.
#include "protocols/bytes.hpp"

namespace etherbeam::protocols {

// Writes the full TCP or UDP checksum (RFC 793 §3.1, RFC 768) of an Ethernet
// frame (802.1Q/802.1ad tags allowed) carrying IPv4, or IPv6 without
// extension headers. Returns false, leaving the frame as it was, for anything
// else: other protocols, fragments, lengths that do not fit the frame.
bool complete_offloaded_checksum(byte_buffer frame);

} // namespace etherbeam::protocols
