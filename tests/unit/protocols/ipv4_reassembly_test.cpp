#include "protocols/ipv4_reassembly.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "protocols/checksum.hpp"
#include "protocols/icmpv4.hpp"
#include "tests/unit/frame_bytes.hpp"
#include "tests/unit/pcap_frames.hpp"

using namespace etherbeam::protocols;
using namespace etherbeam::test_frames;
using clock_type = ipv4_reassembly::clock;

namespace {

// tests/data/lab_fragments.pcap: `ping -s 3000` between two kernels over a
// veth at MTU 1500: three request fragments (id 5298), then the kernel's
// three reply fragments (id 65143).
struct captured {
  std::vector<std::vector<std::uint8_t>> frames = pcap_frames("lab_fragments.pcap");
  std::vector<std::vector<std::uint8_t>> request() const { return {frames.begin(), frames.begin() + 3}; }
  std::vector<std::vector<std::uint8_t>> reply() const { return {frames.begin() + 3, frames.end()}; }
};

ipv4_packet packet_of(const std::vector<std::uint8_t>& frame) { return *ipv4_packet::check(view(frame).subspan(ip_at)); }
byte_view link_of(const std::vector<std::uint8_t>& frame) { return view(frame).first(ip_at); }

ipv4_reassembly::outcome add(ipv4_reassembly& r, const std::vector<std::uint8_t>& frame,
                             clock_type::time_point now = {}) {
  return r.add(link_of(frame), packet_of(frame), now);
}

// Checks the whole datagram a reassembly produced against what ping sent.
void expect_whole_echo_request(const std::vector<std::uint8_t>& whole) {
  auto ip = ipv4_packet::check(view(whole).subspan(ip_at));
  ASSERT_TRUE(ip);
  EXPECT_EQ(ip->total_len(), 20 + 8 + 3000);
  EXPECT_FALSE(ip->is_fragment());
  EXPECT_TRUE(ip->checksum_valid());
  EXPECT_EQ(ip->identification(), 5298);
  auto icmp = icmpv4_packet::check(ip->payload());
  ASSERT_TRUE(icmp);
  EXPECT_EQ(icmp->type(), icmpv4_type::echo_request);
  EXPECT_TRUE(internet_checksum{}.add(ip->payload()).verifies()) << "the ICMP checksum covers all 3008 bytes";
}

TEST(Ipv4Reassembly, PutsCapturedFragmentsTogetherInAnyOrder) {
  captured c;
  auto fragments = c.request();
  std::vector<int> order{0, 1, 2};
  do {
    ipv4_reassembly r;
    EXPECT_EQ(add(r, fragments[order[0]]), ipv4_reassembly::outcome::held);
    EXPECT_EQ(add(r, fragments[order[1]]), ipv4_reassembly::outcome::held);
    ASSERT_EQ(add(r, fragments[order[2]]), ipv4_reassembly::outcome::completed);
    expect_whole_echo_request(r.whole_frame());
    EXPECT_TRUE(std::equal(r.whole_frame().begin(), r.whole_frame().begin() + ip_at, fragments[0].begin()));
    EXPECT_EQ(r.datagrams(), 0u);
    EXPECT_EQ(r.bytes(), 0u);
  } while (std::next_permutation(order.begin(), order.end()));
}

TEST(Ipv4Reassembly, IgnoresAnExactDuplicate) {
  captured c;
  ipv4_reassembly r;
  EXPECT_EQ(add(r, c.request()[0]), ipv4_reassembly::outcome::held);
  EXPECT_EQ(add(r, c.request()[0]), ipv4_reassembly::outcome::duplicate);
  EXPECT_EQ(add(r, c.request()[1]), ipv4_reassembly::outcome::held);
  EXPECT_EQ(add(r, c.request()[2]), ipv4_reassembly::outcome::completed);
}

// The middle fragment again, cut 8 bytes shorter: overlaps, and is not a duplicate.
TEST(Ipv4Reassembly, DiscardsTheDatagramWhenFragmentsOverlap) {
  captured c;
  ipv4_reassembly r;
  auto middle = c.request()[1];
  auto shorter = middle;
  shorter.resize(shorter.size() - 8);
  auto w = ipv4_packet_writer::new_unchecked(std::span(shorter).subspan(ip_at));
  w.set_total_len(static_cast<std::uint16_t>(shorter.size() - ip_at));
  w.fill_checksum();
  EXPECT_EQ(add(r, c.request()[0]), ipv4_reassembly::outcome::held);
  EXPECT_EQ(add(r, middle), ipv4_reassembly::outcome::held);
  EXPECT_EQ(add(r, shorter), ipv4_reassembly::outcome::overlap);
  EXPECT_EQ(r.datagrams(), 0u) << "the whole datagram goes";
  EXPECT_EQ(r.bytes(), 0u);
  EXPECT_EQ(add(r, c.request()[2]), ipv4_reassembly::outcome::held) << "a fresh start";
}

TEST(Ipv4Reassembly, RefusesADatagramEndingPast65535Bytes) {
  captured c;
  auto last = c.request()[2];
  auto w = ipv4_packet_writer::new_unchecked(std::span(last).subspan(ip_at));
  w.set_flags_and_fragment_offset(false, false, 8189); // 65512 + 48 bytes: the "ping of death"
  w.fill_checksum();
  ipv4_reassembly r;
  EXPECT_EQ(add(r, c.request()[0]), ipv4_reassembly::outcome::held);
  EXPECT_EQ(add(r, last), ipv4_reassembly::outcome::too_large);
  EXPECT_EQ(r.datagrams(), 0u);
}

TEST(Ipv4Reassembly, RefusesAFragmentPastTheEndTheLastOneGave) {
  captured c;
  ipv4_reassembly r;
  EXPECT_EQ(add(r, c.request()[2]), ipv4_reassembly::outcome::held);
  auto first = c.request()[0];
  auto w = ipv4_packet_writer::new_unchecked(std::span(first).subspan(ip_at));
  w.set_flags_and_fragment_offset(false, true, 370); // 2960 .. 4440: past the end at 3008
  w.fill_checksum();
  EXPECT_EQ(add(r, first), ipv4_reassembly::outcome::too_large);
}

TEST(Ipv4Reassembly, RefusesAMiddleFragmentThatIsNotAMultipleOfEight) {
  captured c;
  auto first = c.request()[0];
  first.resize(first.size() - 3);
  auto w = ipv4_packet_writer::new_unchecked(std::span(first).subspan(ip_at));
  w.set_total_len(static_cast<std::uint16_t>(first.size() - ip_at));
  w.fill_checksum();
  ipv4_reassembly r;
  EXPECT_EQ(add(r, first), ipv4_reassembly::outcome::bad_fragment);
}

TEST(Ipv4Reassembly, HoldsNoMoreDatagramsOrBytesThanItsLimits) {
  captured c;
  ipv4_reassembly few({.max_datagrams = 1, .max_bytes = 1 << 20, .timeout = std::chrono::seconds(30)});
  EXPECT_EQ(add(few, c.request()[0]), ipv4_reassembly::outcome::held);
  EXPECT_EQ(add(few, c.reply()[0]), ipv4_reassembly::outcome::over_limit) << "a second datagram";
  EXPECT_EQ(add(few, c.request()[1]), ipv4_reassembly::outcome::held) << "the first one still grows";

  ipv4_reassembly small({.max_datagrams = 64, .max_bytes = 2000, .timeout = std::chrono::seconds(30)});
  EXPECT_EQ(add(small, c.request()[0]), ipv4_reassembly::outcome::held);
  EXPECT_EQ(add(small, c.request()[1]), ipv4_reassembly::outcome::over_limit);
  EXPECT_EQ(small.datagrams(), 0u) << "a datagram that cannot be completed is not kept";
  EXPECT_EQ(small.bytes(), 0u);
}

TEST(Ipv4Reassembly, ExpiresAfterTheTimeoutAndGivesTheFirstFragmentBack) {
  captured c;
  ipv4_reassembly r;
  clock_type::time_point start{};
  EXPECT_EQ(add(r, c.request()[0], start), ipv4_reassembly::outcome::held);
  EXPECT_EQ(add(r, c.reply()[1], start), ipv4_reassembly::outcome::held); // no first fragment
  std::vector<std::vector<std::uint8_t>> firsts;
  auto collect = [&](byte_view f) { firsts.emplace_back(f.begin(), f.end()); };
  EXPECT_EQ(r.expire(start + std::chrono::seconds(29), collect), 0u);
  EXPECT_EQ(r.expire(start + std::chrono::seconds(30), collect), 2u);
  ASSERT_EQ(firsts.size(), 1u);
  EXPECT_EQ(firsts[0], c.request()[0]);
  EXPECT_EQ(r.datagrams(), 0u);
  EXPECT_EQ(r.bytes(), 0u);
}

} // namespace
