#pragma once
// TCP segmentation, as a NIC does it for TSO/GSO: a local sender on veth, a
// bridge or a tap device hands the kernel one TCP "super-frame" of up to
// 64 KiB (one header, many segments' worth of payload) for the hardware to
// cut; a packet socket sees it that way. Cutting it into frames that fit the
// link MTU gives the frames a physical wire would carry. Pure.
#include <cstdint>
#include <functional>

#include "protocols/bytes.hpp"

namespace etherbeam::protocols {

enum class segmentation : std::uint8_t {
  fits,          // the packet fits the MTU: nothing emitted, send the frame as it is
  segmented,     // each segment went to `emit`
  not_tcp,       // not an unfragmented IPv4 (or IPv6 without extension headers) TCP packet
  malformed,     // lengths that contradict each other or the frame
  mtu_too_small, // the IP and TCP headers leave no room for payload
};

// `frame`: Ethernet (up to two 802.1Q/802.1ad tags), then IPv4 or IPv6, then
// TCP. `mtu`: the largest IP packet the link carries. Each segment gets the
// link header, the IP header with its length (IPv4: identifier + n, header
// checksum) and the TCP header with its sequence number and a full checksum;
// FIN and PSH stay on the last segment only, CWR on the first only, as
// Linux's own segmentation does. `segment_payload`: the payload per segment
// the sender chose (its GSO size, which a packet socket's virtio_net_hdr
// tells; smaller than the MTU allows once path MTU discovery has lowered it),
// or 0 for as much as the MTU allows. The bytes passed to `emit` are valid
// during the call.
segmentation segment_tcp_frame(byte_view frame, std::size_t mtu, const std::function<void(byte_view segment)>& emit,
                               std::size_t segment_payload = 0);

} // namespace etherbeam::protocols
