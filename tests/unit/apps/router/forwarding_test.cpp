#include "apps/router/forwarding.hpp"

#include <gtest/gtest.h>

#include "protocols/checksum.hpp"
#include "tests/unit/frame_bytes.hpp"
#include "tests/unit/pcap_frames.hpp"
#include "tests/unit/test_values.hpp"

using namespace etherbeam::apps::router;
using namespace etherbeam::protocols;
using namespace etherbeam::test_frames;

namespace {

using frame = std::vector<std::uint8_t>;

using etherbeam::testing::ip;

// The router lab: a = 10.77.0.2/24 (MTU 1500), b = 10.88.0.2/24 (MTU 1280).
route_table lab_routes(std::vector<static_route> statics = {}) {
  return route_table({{*ipv4_interface::from_string("10.77.0.2/24")}, {*ipv4_interface::from_string("10.88.0.2/24")}},
                     statics);
}
std::uint16_t lab_mtu(etherbeam::actors::link_index link) { return link == 0 ? 1500 : 1280; }

ipv4_packet packet_of(const frame& f) { return *ipv4_packet::check(view(f).subspan(ip_at)); }

// A copy of `f` with another destination (and TTL), its header checksum made right.
frame readdressed(frame f, const char* destination, std::uint8_t ttl = 64) {
  ip(destination).write(f, ip_at + 16);
  f[ip_at + 8] = ttl;
  write_be16(f, ip_at + 10, 0);
  write_be16(f, ip_at + 10, checksum_of(view(f).subspan(ip_at, 20)));
  return f;
}

forwarding_decision decided(const frame& f, const route_table& routes) {
  return decide_forwarding(packet_of(f), routes, lab_mtu);
}

} // namespace

// The lab's echo request from 10.77.0.1, sent on towards 10.88.0.1.
TEST(Forwarding, ForwardsToTheConnectedNeighbour) {
  auto d = decided(readdressed(copy_of(echo_request), "10.88.0.1"), lab_routes());
  EXPECT_EQ(d.what, forwarding_decision::kind::forward);
  EXPECT_EQ(d.hop.link, 1u);
  EXPECT_EQ(d.hop.address, ip("10.88.0.1"));
}

TEST(Forwarding, AnswersTheLastHopsTtlWithTimeExceeded) {
  EXPECT_EQ(decided(readdressed(copy_of(echo_request), "10.88.0.1", 1), lab_routes()).what,
            forwarding_decision::kind::time_exceeded);
  EXPECT_EQ(decided(readdressed(copy_of(echo_request), "10.88.0.1", 0), lab_routes()).what,
            forwarding_decision::kind::time_exceeded);
  EXPECT_EQ(decided(readdressed(copy_of(echo_request), "10.88.0.1", 2), lab_routes()).what,
            forwarding_decision::kind::forward);
}

TEST(Forwarding, UnknownNetworksAreUnreachableUntilThereIsADefault) {
  auto f = readdressed(copy_of(echo_request), "198.51.100.7");
  EXPECT_EQ(decided(f, lab_routes()).what, forwarding_decision::kind::net_unreachable);
  auto d = decided(f, lab_routes({{ip("0.0.0.0"), 0, ip("10.88.0.254")}}));
  EXPECT_EQ(d.what, forwarding_decision::kind::forward);
  EXPECT_EQ(d.hop.address, ip("10.88.0.254"));
}

// A TCP packet of 7,292 bytes with DF (tests/data/lab_tcp_super_frames.pcap),
// as big as a super-frame: too long for link b's MTU of 1280.
TEST(Forwarding, RefusesToFragmentWhatDfForbidsAndSaysTheMtu) {
  frame big;
  for (auto& f : pcap_frames("lab_tcp_super_frames.pcap"))
    if (f.size() > 1514) big = f;
  ASSERT_FALSE(big.empty());
  auto d = decided(readdressed(big, "10.88.0.1"), lab_routes());
  EXPECT_EQ(d.what, forwarding_decision::kind::fragmentation_needed);
  EXPECT_EQ(d.next_hop_mtu, 1280);
}

TEST(Forwarding, NeverForwardsMartians) {
  for (const char* to : {"127.0.0.1", "224.0.0.1", "255.255.255.255", "0.1.2.3", "240.0.0.1"})
    EXPECT_EQ(decided(readdressed(copy_of(echo_request), to), lab_routes()).what, forwarding_decision::kind::martian)
      << to;
  auto from_loopback = readdressed(copy_of(echo_request), "10.88.0.1");
  ip("127.0.0.1").write(from_loopback, ip_at + 12);
  EXPECT_EQ(decided(from_loopback, lab_routes()).what, forwarding_decision::kind::martian);
}

// RFC 1624: the incrementally updated checksum equals one computed afresh,
// over every IPv4 frame the lab captured (many TTLs and checksums).
TEST(Forwarding, LowersTheTtlWithTheChecksumUpdatedIncrementally) {
  int checked = 0;
  for (const char* capture : {"lab_ping_arp_udp.pcap", "lab_kernel_replies.pcap", "lab_dhcp_dhclient.pcap",
                              "lab_fragments.pcap", "lab_tcp_super_frames.pcap"}) {
    for (auto f : pcap_frames(capture)) {
      if (f.size() < 34 || f[12] != 0x08 || f[13] != 0x00 || f[ip_at + 8] < 2) continue;
      std::size_t header_len = std::size_t(f[ip_at] & 0x0f) * 4;
      auto ttl = f[ip_at + 8];
      decrement_ttl(std::span(f).subspan(ip_at, header_len));
      EXPECT_EQ(f[ip_at + 8], ttl - 1);
      EXPECT_TRUE(internet_checksum{}.add(view(f).subspan(ip_at, header_len)).verifies()) << capture;
      ++checked;
    }
  }
  EXPECT_GT(checked, 20);
}

TEST(Forwarding, SendsNoIcmpErrorAboutErrorsFragmentsOrBroadcasts) {
  auto echo = readdressed(copy_of(echo_request), "10.88.0.1");
  EXPECT_TRUE(may_send_icmp_error_about(packet_of(echo), false));
  EXPECT_FALSE(may_send_icmp_error_about(packet_of(echo), true)) << "sent to a link-layer broadcast";
  auto error = echo;
  error[34] = 3; // destination unreachable: an ICMP error itself
  EXPECT_FALSE(may_send_icmp_error_about(packet_of(error), false));
  auto later_fragment = copy_of(fragment_last);
  EXPECT_FALSE(may_send_icmp_error_about(packet_of(later_fragment), false));
  auto first_fragment = copy_of(fragment_first);
  EXPECT_TRUE(may_send_icmp_error_about(packet_of(first_fragment), false));
  EXPECT_FALSE(may_send_icmp_error_about(packet_of(readdressed(copy_of(echo_request), "255.255.255.255")), false));
}
