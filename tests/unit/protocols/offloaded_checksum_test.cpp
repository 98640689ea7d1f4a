#include "protocols/offloaded_checksum.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "protocols/bytes.hpp"

using namespace etherbeam::protocols;

namespace {

// Captured on the server side of a lab veth (tests/data/lab_offloaded_checksums.pcap),
// the client's interface at its default offloads: the checksum fields hold only
// the pseudo-header sum. tcpdump's verdicts give the full values:
// "bad udp cksum 0x14cd -> 0xb07a", "cksum 0x14cb (incorrect -> 0x7349)".
std::vector<std::uint8_t> udp_to_echo_port() {
  return {0x3a, 0xa9, 0x68, 0x74, 0xd6, 0x64, 0x5e, 0x7b, 0x38, 0xae, 0xf9, 0xe4, 0x08, 0x00, 0x45, 0x00,
          0x00, 0x33, 0xad, 0x71, 0x40, 0x00, 0x40, 0x11, 0x78, 0xac, 0x0a, 0x4d, 0x00, 0x01, 0x0a, 0x4d,
          0x00, 0x02, 0x83, 0xa6, 0x00, 0x07, 0x00, 0x1f, 0x14, 0xcd, 0x6f, 0x66, 0x66, 0x6c, 0x6f, 0x61,
          0x64, 0x65, 0x64, 0x20, 0x63, 0x68, 0x65, 0x63, 0x6b, 0x73, 0x75, 0x6d, 0x2c, 0x20, 0x6f, 0x64,
          0x64};
}
constexpr std::size_t udp_checksum_at = 14 + 20 + 6;

std::vector<std::uint8_t> tcp_syn() {
  return {0x3a, 0xa9, 0x68, 0x74, 0xd6, 0x64, 0x5e, 0x7b, 0x38, 0xae, 0xf9, 0xe4, 0x08, 0x00, 0x45, 0x00,
          0x00, 0x3c, 0x60, 0xce, 0x40, 0x00, 0x40, 0x06, 0xc5, 0x51, 0x0a, 0x4d, 0x00, 0x01, 0x0a, 0x4d,
          0x00, 0x02, 0x99, 0x84, 0x00, 0x50, 0x70, 0xb4, 0xac, 0xc5, 0x00, 0x00, 0x00, 0x00, 0xa0, 0x02,
          0xfa, 0xf0, 0x14, 0xcb, 0x00, 0x00, 0x02, 0x04, 0x05, 0xb4, 0x04, 0x02, 0x08, 0x0a, 0x19, 0x4d,
          0xf4, 0x8a, 0x00, 0x00, 0x00, 0x00, 0x01, 0x03, 0x03, 0x0a};
}
constexpr std::size_t tcp_checksum_at = 14 + 20 + 16;

std::vector<std::uint8_t> tagged(std::vector<std::uint8_t> frame) {
  const std::uint8_t tag[] = {0x81, 0x00, 0x00, 0x2a}; // 802.1Q, VLAN 42
  frame.insert(frame.begin() + 12, std::begin(tag), std::end(tag));
  return frame;
}

} // namespace

TEST(OffloadedChecksum, finishes_a_udp_checksum_left_to_offload_as_tcpdump_computes_it) {
  auto frame = udp_to_echo_port();
  ASSERT_TRUE(complete_offloaded_checksum(frame));
  EXPECT_EQ(read_be16(frame, udp_checksum_at), 0xb07a);
}

TEST(OffloadedChecksum, finishes_a_tcp_checksum_left_to_offload_as_tcpdump_computes_it) {
  auto frame = tcp_syn();
  ASSERT_TRUE(complete_offloaded_checksum(frame));
  EXPECT_EQ(read_be16(frame, tcp_checksum_at), 0x7349);
}

TEST(OffloadedChecksum, looks_past_a_vlan_tag) {
  auto frame = tagged(udp_to_echo_port());
  ASSERT_TRUE(complete_offloaded_checksum(frame));
  EXPECT_EQ(read_be16(frame, udp_checksum_at + 4), 0xb07a);
}

TEST(OffloadedChecksum, a_finished_checksum_stays_the_same) {
  auto frame = tcp_syn();
  complete_offloaded_checksum(frame);
  auto once = frame;
  complete_offloaded_checksum(frame);
  EXPECT_EQ(frame, once);
}

TEST(OffloadedChecksum, leaves_fragments_other_protocols_and_lying_lengths_alone) {
  auto fragment = udp_to_echo_port();
  fragment[20] |= 0x20; // more fragments
  auto before = fragment;
  EXPECT_FALSE(complete_offloaded_checksum(fragment));
  EXPECT_EQ(fragment, before);

  auto arp = udp_to_echo_port();
  arp[12] = 0x08, arp[13] = 0x06;
  EXPECT_FALSE(complete_offloaded_checksum(arp));

  auto long_claim = udp_to_echo_port();
  long_claim[17] = 0xff; // total length beyond the frame
  EXPECT_FALSE(complete_offloaded_checksum(long_claim));

  auto cut = udp_to_echo_port();
  cut.resize(14 + 20 + 4); // no room for the UDP checksum field
  cut[16] = 0, cut[17] = 24;
  EXPECT_FALSE(complete_offloaded_checksum(cut));
}
