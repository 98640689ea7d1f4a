#include "actors/fragment_reassembly.hpp"

#include <gtest/gtest.h>

#include "protocols/ethernet.hpp"
#include "protocols/icmpv4.hpp"
#include "tests/unit/frame_bytes.hpp"
#include "tests/unit/pcap_frames.hpp"

using namespace etherbeam::actors;
using namespace etherbeam::protocols;
using namespace etherbeam::test_frames;

namespace {

// tests/data/lab_fragments.pcap: `ping -s 3000` from 10.77.0.1 to 10.77.0.3.
struct FragmentReassembly : ::testing::Test {
  counter_registry registry;
  reassembly_counters counters{registry};
  fragment_reassembly fragments{counters};
  std::vector<std::vector<std::uint8_t>> captured = pcap_frames("lab_fragments.pcap");
  stack_identity me;
  fragment_reassembly::clock::time_point start{};

  FragmentReassembly() {
    me.addresses.push_back(*ipv4_interface::from_string("10.77.0.3/24"));
    me.mac = mac_address::read(captured[0], 0);
  }
};

TEST_F(FragmentReassembly, LeavesFramesThatAreNotFragmentsForUsAlone) {
  EXPECT_EQ(fragments.take(copy_of(echo_request), me, start), fragment_reassembly::result::not_a_fragment);
  auto other = me;
  other.addresses = {*ipv4_interface::from_string("10.77.0.2/24")};
  EXPECT_EQ(fragments.take(captured[0], other, start), fragment_reassembly::result::not_a_fragment)
    << "for another host: a forwarding plane's";
  auto bad = captured[0];
  bad[ip_at + 10] ^= 0xff; // header checksum
  EXPECT_EQ(fragments.take(bad, me, start), fragment_reassembly::result::not_a_fragment)
    << "a bad header is the dispatcher's to count";
  EXPECT_EQ(registry.value("fragments.received"), 0u);
}

TEST_F(FragmentReassembly, GivesTheWholeDatagramWhenTheLastPieceComes) {
  EXPECT_EQ(fragments.take(captured[1], me, start), fragment_reassembly::result::taken);
  EXPECT_EQ(fragments.take(captured[0], me, start), fragment_reassembly::result::taken);
  ASSERT_EQ(fragments.take(captured[2], me, start), fragment_reassembly::result::whole);
  EXPECT_EQ(fragments.whole_frame().size(), ip_at + 20 + 8 + 3000);
  EXPECT_EQ(registry.value("fragments.received"), 3u);
  EXPECT_EQ(registry.value("fragments.reassembled"), 1u);
}

// RFC 1122 §3.2.1.4: Time Exceeded, code 1, quoting the first fragment.
TEST_F(FragmentReassembly, SaysTimeExceededToTheSourceWhenTheFirstFragmentCameButNotTheRest) {
  EXPECT_EQ(fragments.take(captured[0], me, start), fragment_reassembly::result::taken);
  std::vector<std::vector<std::uint8_t>> sent;
  auto send = [&](byte_view f) { sent.emplace_back(f.begin(), f.end()); };
  fragments.expire(start + std::chrono::seconds(29), me, send);
  EXPECT_TRUE(sent.empty());
  fragments.expire(start + std::chrono::seconds(30), me, send);
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(registry.value("fragments.timed_out"), 1u);
  auto eth = ethernet_frame::check(sent[0]);
  ASSERT_TRUE(eth);
  auto ip = ipv4_packet::check(eth->payload());
  ASSERT_TRUE(ip);
  EXPECT_EQ(ip->destination().to_string(), "10.77.0.1");
  EXPECT_EQ(ip->source().to_string(), "10.77.0.3");
  auto icmp = icmpv4_packet::check(ip->payload());
  ASSERT_TRUE(icmp);
  EXPECT_EQ(icmp->type(), icmpv4_type::time_exceeded);
  EXPECT_EQ(icmp->code(), icmpv4_time_exceeded::reassembly);
  auto first = ipv4_packet::check(ethernet_frame::check(captured[0])->payload());
  EXPECT_EQ(ip->payload().size(), 8u + std::min<std::size_t>(first->total_len(), 548))
    << "the first fragment, as much as fits in 576 bytes";
  EXPECT_LE(ip->total_len(), 576u);
}

TEST_F(FragmentReassembly, SaysNothingWhenTheFirstFragmentNeverCame) {
  EXPECT_EQ(fragments.take(captured[1], me, start), fragment_reassembly::result::taken);
  std::vector<std::vector<std::uint8_t>> sent;
  fragments.expire(start + std::chrono::seconds(31), me, [&](byte_view f) { sent.emplace_back(f.begin(), f.end()); });
  EXPECT_TRUE(sent.empty());
  EXPECT_EQ(registry.value("fragments.timed_out"), 1u);
}

} // namespace
