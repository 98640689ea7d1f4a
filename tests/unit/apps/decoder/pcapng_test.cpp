#include "apps/decoder/pcapng_writer.hpp"

#include <gtest/gtest.h>

#include <cstring>

using namespace etherbeam::apps::decoder;

namespace {

std::uint32_t u32(const std::vector<std::uint8_t>& b, std::size_t at) {
  std::uint32_t v;
  std::memcpy(&v, b.data() + at, 4);
  return v;
}

// The block types in order, each block's length checked at both ends.
std::vector<std::uint32_t> blocks(const std::vector<std::uint8_t>& b) {
  std::vector<std::uint32_t> types;
  for (std::size_t at = 0; at < b.size();) {
    auto length = u32(b, at + 4);
    EXPECT_EQ(length % 4, 0u);
    EXPECT_EQ(u32(b, at + length - 4), length) << "block at " << at;
    types.push_back(u32(b, at));
    at += length;
  }
  return types;
}

} // namespace

TEST(pcapng, a_section_an_interface_per_link_and_packets_with_their_direction) {
  auto out = pcapng_writer::header({"lan", "uplink"});
  EXPECT_EQ(u32(out, 8), 0x1a2b3c4du) << "byte-order magic";
  std::vector<std::uint8_t> frame(61, 0xab); // odd length: padded to 4
  pcapng_writer::packet(out, 1, 1'700'000'000'123'456ull, frame_direction::outbound, frame);
  EXPECT_EQ(blocks(out), (std::vector<std::uint32_t>{0x0a0d0d0a, 1, 1, 6}));
  // The enhanced packet block: interface 1, the timestamp's two halves, the lengths, the frame, epb_flags = 2.
  std::size_t epb = out.size() - (28 + 64 + 8 + 4 + 4);
  EXPECT_EQ(u32(out, epb + 8), 1u);
  EXPECT_EQ((std::uint64_t(u32(out, epb + 12)) << 32) | u32(out, epb + 16), 1'700'000'000'123'456ull);
  EXPECT_EQ(u32(out, epb + 20), 61u);
  EXPECT_EQ(out[epb + 28], 0xab);
  EXPECT_EQ(u32(out, epb + 28 + 64), 0x00040002u) << "option epb_flags, 4 bytes";
  EXPECT_EQ(u32(out, epb + 28 + 68), 2u) << "outbound";
}
