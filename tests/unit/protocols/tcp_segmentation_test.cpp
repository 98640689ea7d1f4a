#include "protocols/tcp_segmentation.hpp"

#include <gtest/gtest.h>

#include "protocols/checksum.hpp"
#include "tests/unit/frame_bytes.hpp"
#include "tests/unit/pcap_frames.hpp"

using namespace etherbeam::protocols;
using namespace etherbeam::test_frames;

namespace {

using frame = std::vector<std::uint8_t>;
constexpr std::size_t tcp_at = 34; // untagged IPv4 without options, as captured

// tests/data/lab_tcp_super_frames.pcap (tests/data/capture_tcp.py): 24,000
// bytes in one write from a veth client at default offloads; the server side
// saw three TCP packets of 7,240, 7,240 and 9,520 payload bytes (MSS 1,448
// with timestamps), their checksums left to offload.
std::vector<frame> super_frames() {
  std::vector<frame> out;
  for (auto& f : pcap_frames("lab_tcp_super_frames.pcap"))
    if (f.size() > 1514) out.push_back(f);
  return out;
}

std::vector<frame> segments_of(const frame& f, std::size_t mtu, segmentation expected = segmentation::segmented) {
  std::vector<frame> out;
  EXPECT_EQ(segment_tcp_frame(f, mtu, [&](byte_view s) { out.emplace_back(s.begin(), s.end()); }), expected);
  return out;
}

bool tcp_checksum_verifies(const frame& f, std::size_t ip_at_, std::size_t tcp_at_) {
  std::size_t tcp_len = f.size() - tcp_at_;
  return internet_checksum{}
      .add(view(f).subspan(ip_at_ + 12, 8))
      .add_u16(6)
      .add_u16(static_cast<std::uint16_t>(tcp_len))
      .add(view(f).subspan(tcp_at_))
      .verifies();
}

std::size_t tcp_header_len(const frame& f) { return std::size_t(f[tcp_at + 12] >> 4) * 4; }
byte_view payload_of(const frame& f) { return view(f).subspan(tcp_at + tcp_header_len(f)); }

} // namespace

TEST(TcpSegmentation, TheCaptureHoldsSuperFrames) {
  auto frames = super_frames();
  ASSERT_EQ(frames.size(), 3u);
  EXPECT_EQ(payload_of(frames[0]).size(), 7240u);
  EXPECT_EQ(payload_of(frames[2]).size(), 9520u);
}

// What a wire would carry: frames within the MTU, the payload in order and
// whole, sequence numbers and IP identifiers that follow on, every checksum
// right (IP header and full TCP, where the capture held only the partial sum).
TEST(TcpSegmentation, CutsSuperFramesIntoWireFrames) {
  for (const auto& super : super_frames()) {
    auto segments = segments_of(super, 1500);
    auto payload = payload_of(super);
    ASSERT_EQ(segments.size(), (payload.size() + 1447) / 1448);
    std::uint32_t sequence = read_be32(super, tcp_at + 4);
    std::uint16_t id = read_be16(super, ip_at + 4);
    std::size_t at = 0;
    for (std::size_t i = 0; i < segments.size(); ++i) {
      const auto& s = segments[i];
      SCOPED_TRACE(i);
      ASSERT_LE(s.size(), 1514u);
      EXPECT_EQ(read_be16(s, ip_at + 2), s.size() - ip_at);
      EXPECT_EQ(read_be16(s, ip_at + 4), static_cast<std::uint16_t>(id + i));
      EXPECT_TRUE(internet_checksum{}.add(view(s).subspan(ip_at, 20)).verifies());
      EXPECT_TRUE(tcp_checksum_verifies(s, ip_at, tcp_at));
      EXPECT_EQ(read_be32(s, tcp_at + 4), sequence + at);
      // Link header, addresses, ports, ack, window and options as the original's.
      EXPECT_TRUE(std::equal(s.begin(), s.begin() + 14, super.begin()));
      EXPECT_TRUE(std::equal(s.begin() + ip_at + 12, s.begin() + ip_at + 20, super.begin() + ip_at + 12));
      EXPECT_TRUE(std::equal(s.begin() + tcp_at + 8, s.begin() + tcp_at + 13, super.begin() + tcp_at + 8));
      EXPECT_TRUE(std::equal(s.begin() + tcp_at + 20, s.begin() + tcp_at + 32, super.begin() + tcp_at + 20));
      bool last = i + 1 == segments.size();
      EXPECT_EQ(s[tcp_at + 13], last ? super[tcp_at + 13] : (super[tcp_at + 13] & ~0x09)) << "PSH/FIN on the last only";
      auto piece = payload_of(s);
      EXPECT_TRUE(std::equal(piece.begin(), piece.end(), payload.begin() + static_cast<std::ptrdiff_t>(at)));
      at += piece.size();
    }
    EXPECT_EQ(at, payload.size());
  }
}

TEST(TcpSegmentation, LeavesFramesThatFitAndWhatIsNotTcp) {
  auto frames = pcap_frames("lab_tcp_super_frames.pcap");
  segments_of(frames[0], 1500, segmentation::fits); // the SYN
  segments_of(super_frames()[0], 9000, segmentation::fits);
  segments_of(copy_of(echo_request), 60, segmentation::not_tcp);
  segments_of(copy_of(arp_request), 60, segmentation::not_tcp);
  segments_of(super_frames()[0], 52, segmentation::mtu_too_small); // 20 + 32 bytes of headers
}

TEST(TcpSegmentation, RefusesLengthsThatContradictTheFrame) {
  auto super = super_frames()[0];
  auto cut = super;
  cut.resize(cut.size() - 100); // IP total length now claims more than the frame holds
  segments_of(cut, 1500, segmentation::malformed);
  auto bad_offset = super;
  bad_offset[tcp_at + 12] = 0x40; // a TCP header of 16 bytes
  segments_of(bad_offset, 1500, segmentation::malformed);
}

// CWR belongs to the first segment only (RFC 3168 §6.1.2), as Linux cuts.
TEST(TcpSegmentation, KeepsCwrOnTheFirstSegmentOnly) {
  auto super = super_frames()[0];
  super[tcp_at + 13] |= 0x80;
  auto segments = segments_of(super, 1500);
  ASSERT_GT(segments.size(), 1u);
  EXPECT_TRUE(segments[0][tcp_at + 13] & 0x80);
  for (std::size_t i = 1; i < segments.size(); ++i) EXPECT_FALSE(segments[i][tcp_at + 13] & 0x80);
}

// A VLAN-tagged super-frame (as on a trunk): the tag goes into every segment.
TEST(TcpSegmentation, CarriesTheVlanTagIntoEachSegment) {
  auto super = super_frames()[1];
  frame tagged(super.begin(), super.begin() + 12);
  for (std::uint8_t b : {0x81, 0x00, 0x00, 0x2a}) tagged.push_back(b);
  tagged.insert(tagged.end(), super.begin() + 12, super.end());
  auto segments = segments_of(tagged, 1500);
  ASSERT_EQ(segments.size(), 5u);
  for (const auto& s : segments) {
    EXPECT_EQ(read_be16(s, 12), 0x8100);
    EXPECT_EQ(read_be16(s, 14), 0x002a);
    EXPECT_LE(s.size(), 1518u);
    EXPECT_TRUE(tcp_checksum_verifies(s, ip_at + 4, tcp_at + 4));
  }
}

// After path MTU discovery the sender cuts smaller than the link's MTU allows
// (its GSO size, from the packet socket's virtio_net_hdr): the segments follow it.
TEST(TcpSegmentation, FollowsTheSendersSegmentSize) {
  auto super = super_frames()[0];
  std::vector<frame> segments;
  ASSERT_EQ(segment_tcp_frame(super, 1500, [&](byte_view s) { segments.emplace_back(s.begin(), s.end()); }, 1228),
            segmentation::segmented);
  ASSERT_EQ(segments.size(), (7240u + 1227) / 1228);
  for (const auto& s : segments) EXPECT_LE(payload_of(s).size(), 1228u);
  EXPECT_EQ(payload_of(segments.front()).size(), 1228u);
  // A frame within the MTU is still cut when the sender's segments are smaller.
  std::vector<frame> small;
  EXPECT_EQ(segment_tcp_frame(segments_of(super, 1500)[0], 1500,
                              [&](byte_view s) { small.emplace_back(s.begin(), s.end()); }, 1000),
            segmentation::segmented);
  EXPECT_EQ(small.size(), 2u);
}
