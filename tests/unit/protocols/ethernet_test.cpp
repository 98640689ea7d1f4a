#include "protocols/ethernet.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "tests/unit/frame_bytes.hpp"

using namespace etherbeam::protocols;
using namespace etherbeam::test_frames;

TEST(ethernet_frame, reads_a_captured_untagged_frame) {
  auto f = ethernet_frame::check(echo_request);
  ASSERT_TRUE(f);
  EXPECT_EQ(f->destination().to_string(), "ce:89:d7:ed:bc:38");
  EXPECT_EQ(f->source().to_string(), "1e:58:23:16:e0:6f");
  EXPECT_EQ(f->vlan_count(), 0u);
  EXPECT_EQ(f->ethertype(), ethertype::ipv4);
  EXPECT_EQ(f->payload().size(), sizeof echo_request - 14);
}

TEST(ethernet_frame, reads_a_captured_802_1q_tag) {
  auto f = ethernet_frame::check(vlan_echo_request);
  ASSERT_TRUE(f);
  ASSERT_EQ(f->vlan_count(), 1u);
  EXPECT_EQ(f->vlan(0).tpid, ethertype::vlan);
  EXPECT_EQ(f->vlan(0).vlan_id(), 10);
  EXPECT_EQ(f->vlan(0).tci >> 13, 3); // priority 3, as sent
  EXPECT_EQ(f->ethertype(), ethertype::ipv4);
  EXPECT_EQ(f->header_len(), 18u);
}

TEST(ethernet_frame, refuses_a_truncated_header) {
  std::span<const std::uint8_t> short_frame{echo_request, 13};
  EXPECT_EQ(ethernet_frame::check(short_frame).error(), parse_error::truncated);
}

TEST(ethernet_frame, refuses_a_tag_cut_short) {
  std::span<const std::uint8_t> cut{vlan_echo_request, 16};
  EXPECT_EQ(ethernet_frame::check(cut).error(), parse_error::truncated);
}

TEST(ethernet_frame, accepts_qinq_and_refuses_a_third_tag) {
  auto frame = copy_of(vlan_echo_request);
  // Outer 802.1ad tag around the captured 802.1Q one.
  std::vector<std::uint8_t> qinq(frame.begin(), frame.begin() + 12);
  qinq.insert(qinq.end(), {0x88, 0xa8, 0x00, 0x64});
  qinq.insert(qinq.end(), frame.begin() + 12, frame.end());
  auto two = ethernet_frame::check(qinq);
  ASSERT_TRUE(two);
  EXPECT_EQ(two->vlan_count(), 2u);
  EXPECT_EQ(two->vlan(0).vlan_id(), 100);
  EXPECT_EQ(two->ethertype(), ethertype::ipv4);

  std::vector<std::uint8_t> three(qinq.begin(), qinq.begin() + 12);
  three.insert(three.end(), {0x81, 0x00, 0x00, 0x05});
  three.insert(three.end(), qinq.begin() + 12, qinq.end());
  EXPECT_EQ(ethernet_frame::check(three).error(), parse_error::too_many_vlan_tags);
}

TEST(ethernet_repr, emits_what_it_parsed) {
  auto f = ethernet_frame::check(vlan_echo_request);
  ASSERT_TRUE(f);
  auto repr = ethernet_repr::parse(*f);
  std::vector<std::uint8_t> out(repr.header_len());
  repr.emit(out);
  EXPECT_EQ(out, std::vector<std::uint8_t>(vlan_echo_request, vlan_echo_request + 18));
}
