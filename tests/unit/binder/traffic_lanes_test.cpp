// The lane filters run in the kernel: each is attached to a datagram socket
// (a classic BPF socket filter sees a datagram's bytes as it sees a packet
// socket's frame) and the lab's captured frames are sent through it.
#include "binder/traffic_lanes.hpp"

#include <gtest/gtest.h>

#include <sys/socket.h>
#include <unistd.h>

#include <map>

#include "tests/unit/pcap_frames.hpp"

using namespace etherbeam::binder;

namespace {

// Whether `frame` gets through a socket that carries `lane`'s filter.
bool passes(traffic_lane lane, const std::vector<std::uint8_t>& frame) {
  int pair[2];
  EXPECT_EQ(::socketpair(AF_UNIX, SOCK_DGRAM, 0, pair), 0);
  auto filter = lane_filter(lane);
  sock_fprog program{static_cast<unsigned short>(filter.size()), const_cast<sock_filter*>(filter.data())};
  if (!filter.empty()) {
    EXPECT_EQ(::setsockopt(pair[1], SOL_SOCKET, SO_ATTACH_FILTER, &program, sizeof program), 0);
  }
  ::send(pair[0], frame.data(), frame.size(), 0);
  std::uint8_t buffer[65536];
  auto n = ::recv(pair[1], buffer, sizeof buffer, MSG_DONTWAIT);
  ::close(pair[0]);
  ::close(pair[1]);
  if (n >= 0) {
    EXPECT_EQ(static_cast<std::size_t>(n), frame.size()) << "a lane keeps the whole frame";
  }
  return n >= 0;
}

// What the lanes are meant to hold, from the bytes themselves.
traffic_lane expected_lane(const std::vector<std::uint8_t>& f) {
  if (f.size() < 24) return traffic_lane::rest;
  std::uint16_t ethertype = static_cast<std::uint16_t>(f[12] << 8 | f[13]);
  if (ethertype == 0x0806) return traffic_lane::arp;
  if (ethertype == 0x0800 && f[23] == 17) return traffic_lane::udp;
  if ((ethertype == 0x0800 && f[23] == 6) || (ethertype == 0x86dd && f[20] == 6)) return traffic_lane::tcp;
  return traffic_lane::rest;
}

} // namespace

TEST(TrafficLanes, every_captured_frame_is_in_exactly_one_of_the_four_lanes_the_right_one) {
  std::map<traffic_lane, int> seen;
  for (const char* capture : {"lab_ping_arp_udp.pcap", "lab_dhcp_dhclient.pcap", "lab_vlan.pcap",
                              "lab_fragments.pcap", "lab_kernel_replies.pcap", "lab_tcp_super_frames.pcap"}) {
    for (const auto& frame : etherbeam::test_frames::pcap_frames(capture)) {
      int lanes = 0;
      for (auto lane : lanes_for(4)) {
        bool in = passes(lane, frame);
        lanes += in;
        if (in) {
          EXPECT_EQ(lane, expected_lane(frame)) << capture;
          ++seen[lane];
        }
      }
      EXPECT_EQ(lanes, 1) << capture << ": a frame of " << frame.size() << " bytes";
    }
  }
  // The captures hold ARP, UDP (DHCP among it), TCP (super-frames among it)
  // and the rest (ICMP, tagged frames).
  EXPECT_GT(seen[traffic_lane::arp], 0);
  EXPECT_GT(seen[traffic_lane::udp], 0);
  EXPECT_GT(seen[traffic_lane::tcp], 0);
  EXPECT_GT(seen[traffic_lane::rest], 0);
}

// Hostile frames: a filter that loads past a frame's end drops it, and a
// frame no lane takes would never reach etherbeam to be counted.
TEST(TrafficLanes, frames_too_short_to_classify_go_to_the_rest_lane) {
  for (std::size_t len : {1u, 13u, 14u, 20u, 23u}) {
    for (std::uint16_t ethertype : {0x0800, 0x0806, 0x86dd}) {
      std::vector<std::uint8_t> frame(len, 0x11);
      if (len >= 14) {
        frame[12] = static_cast<std::uint8_t>(ethertype >> 8);
        frame[13] = static_cast<std::uint8_t>(ethertype);
      }
      EXPECT_TRUE(passes(traffic_lane::rest, frame)) << len << " bytes";
      EXPECT_FALSE(passes(traffic_lane::arp, frame)) << len << " bytes";
      EXPECT_FALSE(passes(traffic_lane::udp, frame)) << len << " bytes";
      EXPECT_FALSE(passes(traffic_lane::tcp, frame)) << len << " bytes";
    }
  }
}

TEST(TrafficLanes, one_lane_takes_everything_without_a_filter) {
  ASSERT_EQ(lanes_for(1), std::vector<traffic_lane>{traffic_lane::all});
  EXPECT_TRUE(lane_filter(traffic_lane::all).empty());
  for (const auto& frame : etherbeam::test_frames::pcap_frames("lab_ping_arp_udp.pcap"))
    EXPECT_TRUE(passes(traffic_lane::all, frame));
}

TEST(TrafficLanes, only_one_or_four_lanes_exist) {
  EXPECT_TRUE(lanes_for(0).empty());
  EXPECT_TRUE(lanes_for(2).empty());
  EXPECT_TRUE(lanes_for(3).empty());
  EXPECT_EQ(lanes_for(4).front(), traffic_lane::rest) << "the first lane's socket also sends";
}
