#pragma once
// Fair shedding without cleverness in raw_binder: the kernel sorts frames
// into lanes, one packet socket (and ring) per lane, by a classic BPF filter
// on each. raw_binder reads a batch from each lane in turn while the logic
// server has room, and reads nothing while it has none: the rings fill and
// the kernel drops there, per lane, at no cost to anyone. A flood in one
// lane (ICMP echo) then costs the others (ARP, DHCP) nothing but their
// turn: each keeps its own ring and its share of every round.
#include <linux/filter.h>

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

namespace etherbeam::binder {

enum class traffic_lane : std::uint8_t {
  all,  // --lanes 1: one socket takes every frame
  arp,  // ethertype 0x0806
  udp,  // IPv4 carrying UDP (DHCP and every other UDP service)
  tcp,  // TCP over IPv4 or IPv6: its ring's slots hold 64 KiB super-frames
  rest, // everything else: ICMP, other ethertypes, VLAN-tagged frames
};
std::string_view to_string(traffic_lane lane);

// The lanes for `--lanes N`: 1 (all) or 4 (rest, arp, udp, tcp; the first
// is also the socket replies are sent from). Empty for any other count.
std::vector<traffic_lane> lanes_for(unsigned count);

// The filter that lets through exactly the frames of `lane` (empty for
// `all`: no filter). Each program returns the whole frame or nothing.
std::span<const sock_filter> lane_filter(traffic_lane lane);

} // namespace etherbeam::binder
