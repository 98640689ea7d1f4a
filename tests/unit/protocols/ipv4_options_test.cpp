#include "protocols/ipv4_options.hpp"

#include <gtest/gtest.h>

#include "protocols/checksum.hpp"
#include "protocols/ipv4.hpp"

using namespace etherbeam::protocols;

namespace {

using frame = std::vector<std::uint8_t>;

ipv4_address ip(const char* text) { return *ipv4_address::from_string(text); }

// IPv4 headers of `ping -R` and `ping -T tsandaddr` from 10.77.0.1 to
// 10.88.0.1 in the router lab, as tcpdump captured them on link a: the
// sender has filled the first slot of each.
const frame record_route_header = {
  0x4f, 0x00, 0x00, 0x7c, 0x97, 0xb3, 0x40, 0x00, 0x40, 0x01, 0x51, 0xca, 0x0a, 0x4d, 0x00, 0x01,
  0x0a, 0x58, 0x00, 0x01, 0x01, 0x07, 0x27, 0x08, 0x0a, 0x4d, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
  0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
  0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00};
const frame timestamp_header = {
  0x4e, 0x00, 0x00, 0x78, 0x97, 0xb6, 0x40, 0x00, 0x40, 0x01, 0xc4, 0x53, 0x0a, 0x4d, 0x00, 0x01,
  0x0a, 0x58, 0x00, 0x01, 0x44, 0x24, 0x0d, 0x01, 0x0a, 0x4d, 0x00, 0x01, 0x00, 0x24, 0x65, 0x3d,
  0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
  0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00};

bool header_checksum_valid(const frame& h) { return internet_checksum{}.add(byte_view(h)).verifies(); }

} // namespace

TEST(Ipv4Options, RecordRouteGetsTheAddressInItsNextSlot) {
  auto h = record_route_header;
  ASSERT_TRUE(header_checksum_valid(h));
  EXPECT_EQ(record_route_and_time(h, ip("10.88.0.2"), 0), options_outcome::recorded);
  EXPECT_EQ(h[23], 12) << "the pointer moves past the slot written";
  EXPECT_EQ(ipv4_address::read(h, 28), ip("10.88.0.2"));
  EXPECT_EQ(ipv4_address::read(h, 24), ip("10.77.0.1")) << "earlier hops kept";
  EXPECT_TRUE(header_checksum_valid(h));
  // Full (pointer past the option's end): nothing more is written.
  h[23] = 40;
  auto full = h;
  EXPECT_EQ(record_route_and_time(h, ip("10.88.0.2"), 0), options_outcome::none);
  EXPECT_EQ(h, full);
}

TEST(Ipv4Options, TimestampGetsTheAddressAndTimeOrCountsTheHopWhenFull) {
  auto h = timestamp_header;
  ASSERT_TRUE(header_checksum_valid(h));
  EXPECT_EQ(record_route_and_time(h, ip("10.88.0.2"), 2385213), options_outcome::recorded);
  EXPECT_EQ(h[22], 21);
  EXPECT_EQ(ipv4_address::read(h, 32), ip("10.88.0.2"));
  EXPECT_EQ(read_be32(h, 36), 2385213u);
  EXPECT_TRUE(header_checksum_valid(h));
  h[22] = 37; // every slot taken: the overflow count (high nibble of the flags byte) goes up
  EXPECT_EQ(record_route_and_time(h, ip("10.88.0.2"), 1), options_outcome::recorded);
  EXPECT_EQ(h[23], 0x11);
  EXPECT_TRUE(header_checksum_valid(h));
}

TEST(Ipv4Options, ReportsSourceRoutes) {
  auto h = record_route_header;
  h[20] = 0x83; // loose source route, where the NOP was
  h[21] = 7;
  h[22] = 4;
  EXPECT_EQ(record_route_and_time(h, ip("10.88.0.2"), 0), options_outcome::source_routed);
}
