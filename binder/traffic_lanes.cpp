#include "binder/traffic_lanes.hpp"

#include <net/ethernet.h>
#include <netinet/in.h>

namespace etherbeam::binder {

namespace {

// Offsets in an untagged Ethernet frame: the ethertype, and the IPv4
// header's protocol byte. The kernel hands a packet socket's filter the
// frame from its MAC header, a VLAN tag it took off (offload) already gone.
constexpr std::uint32_t ethertype_at = 12;
constexpr std::uint32_t ip_protocol_at = 14 + 9;
constexpr std::uint32_t ipv6_next_header_at = 14 + 6;
constexpr std::uint32_t whole_frame = 0x40000; // the most a filter can keep
constexpr std::uint32_t nothing = 0;

// A load past a frame's end ends a filter with "drop": frames too short to
// hold an IPv4 protocol byte are tested by length first, and go to `rest`.
constexpr std::uint32_t classified_len = ip_protocol_at + 1;

constexpr sock_filter arp_program[] = {
  BPF_STMT(BPF_LD | BPF_W | BPF_LEN, 0),
  BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, classified_len, 0, 3),
  BPF_STMT(BPF_LD | BPF_H | BPF_ABS, ethertype_at),
  BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ETHERTYPE_ARP, 0, 1),
  BPF_STMT(BPF_RET | BPF_K, whole_frame),
  BPF_STMT(BPF_RET | BPF_K, nothing),
};

constexpr sock_filter udp_program[] = {
  BPF_STMT(BPF_LD | BPF_H | BPF_ABS, ethertype_at),
  BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ETHERTYPE_IP, 0, 3),
  BPF_STMT(BPF_LD | BPF_B | BPF_ABS, ip_protocol_at),
  BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, IPPROTO_UDP, 0, 1),
  BPF_STMT(BPF_RET | BPF_K, whole_frame),
  BPF_STMT(BPF_RET | BPF_K, nothing),
};

// TCP over IPv4 or IPv6 (no extension header before it): the lane whose
// ring slots hold 64 KiB super-frames.
constexpr sock_filter tcp_program[] = {
  BPF_STMT(BPF_LD | BPF_H | BPF_ABS, ethertype_at),
  BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ETHERTYPE_IP, 0, 2),
  BPF_STMT(BPF_LD | BPF_B | BPF_ABS, ip_protocol_at),
  BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, IPPROTO_TCP, 3, 4),
  BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ETHERTYPE_IPV6, 0, 3),
  BPF_STMT(BPF_LD | BPF_B | BPF_ABS, ipv6_next_header_at),
  BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, IPPROTO_TCP, 0, 1),
  BPF_STMT(BPF_RET | BPF_K, whole_frame),
  BPF_STMT(BPF_RET | BPF_K, nothing),
};

// The complement of the three above, so that every frame is in one lane only.
constexpr sock_filter rest_program[] = {
  BPF_STMT(BPF_LD | BPF_W | BPF_LEN, 0),
  BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, classified_len, 0, 9),
  BPF_STMT(BPF_LD | BPF_H | BPF_ABS, ethertype_at),
  BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ETHERTYPE_ARP, 8, 0),
  BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ETHERTYPE_IP, 0, 3),
  BPF_STMT(BPF_LD | BPF_B | BPF_ABS, ip_protocol_at),
  BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, IPPROTO_UDP, 5, 0),
  BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, IPPROTO_TCP, 4, 3),
  BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ETHERTYPE_IPV6, 0, 2),
  BPF_STMT(BPF_LD | BPF_B | BPF_ABS, ipv6_next_header_at),
  BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, IPPROTO_TCP, 1, 0),
  BPF_STMT(BPF_RET | BPF_K, whole_frame),
  BPF_STMT(BPF_RET | BPF_K, nothing),
};

} // namespace

std::string_view to_string(traffic_lane lane) {
  switch (lane) {
    case traffic_lane::all: return "all";
    case traffic_lane::arp: return "arp";
    case traffic_lane::udp: return "udp";
    case traffic_lane::tcp: return "tcp";
    case traffic_lane::rest: return "rest";
  }
  return "?";
}

std::vector<traffic_lane> lanes_for(unsigned count) {
  if (count == 1) return {traffic_lane::all};
  if (count == 4) return {traffic_lane::rest, traffic_lane::arp, traffic_lane::udp, traffic_lane::tcp};
  return {};
}

std::span<const sock_filter> lane_filter(traffic_lane lane) {
  switch (lane) {
    case traffic_lane::all: return {};
    case traffic_lane::arp: return arp_program;
    case traffic_lane::udp: return udp_program;
    case traffic_lane::tcp: return tcp_program;
    case traffic_lane::rest: return rest_program;
  }
  return {};
}

} // namespace etherbeam::binder
