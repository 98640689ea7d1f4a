// Cutting TCP super-frames (segmentation offload): raw_binder runs this, with
// CAP_NET_RAW, on frames from the wire. The input: two bytes of MTU (big
// endian, taken modulo 9,000 plus 68), then a whole frame. Properties: every
// segment fits the MTU after its link header and is not cut again; the
// segments' payloads, in order, are the frame's payload, whole.
#include <algorithm>
#include <cstdint>
#include <vector>

#include "protocols/tcp_segmentation.hpp"
#include "tests/fuzz/fuzz_expect.hpp"

using namespace etherbeam::protocols;

namespace {

// Where the IP header starts: after the MAC addresses and up to two tags.
std::size_t ip_offset(byte_view frame) {
  std::size_t at = 12;
  for (int tags = 0; tags < 2 && at + 2 <= frame.size(); ++tags, at += 4) {
    std::uint16_t type = std::uint16_t(frame[at] << 8 | frame[at + 1]);
    if (type != 0x8100 && type != 0x88a8) break;
  }
  return at + 2;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  std::size_t mtu = 68 + (std::size_t(data[0] << 8 | data[1]) % 9000);
  byte_view frame(data + 2, size - 2);
  std::size_t ip_at = ip_offset(frame), headers_end = 0, payload_seen = 0, segments = 0;
  auto outcome = segment_tcp_frame(frame, mtu, [&](byte_view segment) {
    FUZZ_EXPECT(ip_offset(segment) == ip_at);
    FUZZ_EXPECT(segment.size() - ip_at <= mtu);
    std::size_t again = 0;
    std::vector<std::uint8_t> copy(segment.begin(), segment.end());
    FUZZ_EXPECT(segment_tcp_frame(copy, mtu, [&](byte_view) { ++again; }) == segmentation::fits);
    FUZZ_EXPECT(again == 0);
    if (segments++ == 0) {
      bool v6 = (segment[ip_at] >> 4) == 6;
      std::size_t ip_header = v6 ? 40 : std::size_t(segment[ip_at] & 0x0f) * 4;
      headers_end = ip_at + ip_header + std::size_t(segment[ip_at + ip_header + 12] >> 4) * 4;
    }
    FUZZ_EXPECT(segment.size() > headers_end);
    std::size_t piece = segment.size() - headers_end;
    FUZZ_EXPECT(headers_end + payload_seen + piece <= frame.size());
    FUZZ_EXPECT(std::equal(segment.begin() + headers_end, segment.end(), frame.begin() + headers_end + payload_seen));
    payload_seen += piece;
  });
  FUZZ_EXPECT((outcome == segmentation::segmented) == (segments > 1));
  return 0;
}
