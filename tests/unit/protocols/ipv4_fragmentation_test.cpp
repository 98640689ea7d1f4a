#include "protocols/ipv4_fragmentation.hpp"

#include <gtest/gtest.h>

#include "protocols/ipv4_reassembly.hpp"
#include "tests/unit/frame_bytes.hpp"
#include "tests/unit/pcap_frames.hpp"

using namespace etherbeam::protocols;
using namespace etherbeam::test_frames;

namespace {

std::vector<std::vector<std::uint8_t>> fragments_of(const std::vector<std::uint8_t>& frame, std::size_t mtu,
                                                    fragmentation expected = fragmentation::fragmented) {
  std::vector<std::vector<std::uint8_t>> out;
  EXPECT_EQ(fragment_frame(frame, ip_at, mtu, [&](byte_view f) { out.emplace_back(f.begin(), f.end()); }), expected);
  return out;
}

std::vector<std::uint8_t> reassembled(const std::vector<std::vector<std::uint8_t>>& fragments) {
  ipv4_reassembly r;
  for (const auto& f : fragments)
    if (r.add(view(f).first(ip_at), *ipv4_packet::check(view(f).subspan(ip_at)), {}) ==
        ipv4_reassembly::outcome::completed)
      return r.whole_frame();
  ADD_FAILURE() << "the fragments did not make a whole datagram";
  return {};
}

// The kernel's reply to `ping -s 3000` (tests/data/lab_fragments.pcap, frames
// 4-6) put together, then cut again at MTU 1500: the kernel's own fragments,
// byte for byte.
TEST(Ipv4Fragmentation, CutsAsTheKernelCuts) {
  auto frames = pcap_frames("lab_fragments.pcap");
  std::vector<std::vector<std::uint8_t>> kernel_reply{frames.begin() + 3, frames.end()};
  auto whole = reassembled(kernel_reply);
  auto ours = fragments_of(whole, 1500);
  ASSERT_EQ(ours.size(), 3u);
  for (std::size_t i = 0; i < 3; ++i) EXPECT_EQ(ours[i], kernel_reply[i]) << "fragment " << i;
}

TEST(Ipv4Fragmentation, LeavesAPacketThatFitsAlone) {
  auto frame = copy_of(echo_request);
  EXPECT_TRUE(fragments_of(frame, 1500, fragmentation::fits).empty());
  EXPECT_TRUE(fragments_of(frame, 84, fragmentation::fits).empty()) << "84 bytes fit an MTU of 84";
}

TEST(Ipv4Fragmentation, NeverCutsWhatDontFragmentForbids) {
  auto frame = copy_of(echo_request); // DF set, as ping sends it
  EXPECT_TRUE(fragments_of(frame, 68, fragmentation::dont_fragment).empty());
}

// Record route (type 7) is not "copied": only the first fragment carries it.
TEST(Ipv4Fragmentation, CopiesOnlyOptionsMarkedCopied) {
  auto frame = copy_of(echo_request_record_route);
  auto w = ipv4_packet_writer::new_unchecked(std::span(frame).subspan(ip_at));
  w.set_flags_and_fragment_offset(false, false, 0);
  w.fill_checksum();
  auto fragments = fragments_of(frame, 60 + 16);
  ASSERT_GE(fragments.size(), 2u);
  auto first = ipv4_packet::check(view(fragments[0]).subspan(ip_at));
  auto second = ipv4_packet::check(view(fragments[1]).subspan(ip_at));
  ASSERT_TRUE(first && second);
  EXPECT_EQ(first->header_len(), 60u);
  EXPECT_EQ(second->header_len(), 20u);
  EXPECT_EQ(first->payload().size(), 16u);
  EXPECT_TRUE(first->checksum_valid() && second->checksum_valid());
  auto back = reassembled(fragments);
  EXPECT_EQ(back, frame) << "the fragments put together are the packet";
}

TEST(Ipv4Fragmentation, SaysWhenTheMtuLeavesNoRoom) {
  auto frame = copy_of(echo_request_record_route);
  auto w = ipv4_packet_writer::new_unchecked(std::span(frame).subspan(ip_at));
  w.set_flags_and_fragment_offset(false, false, 0);
  w.fill_checksum();
  EXPECT_TRUE(fragments_of(frame, 64, fragmentation::mtu_too_small).empty());
}

} // namespace
