#include "apps/dhcp/dhcp_intake.hpp"

#include <gtest/gtest.h>

#include "protocols/dhcp.hpp"
#include "tests/unit/apps/dhcp/lab_stack.hpp"
#include "tests/unit/frame_bytes.hpp"

using namespace etherbeam::actors;
using namespace etherbeam::apps::dhcp;
using namespace etherbeam::protocols;
using namespace etherbeam::test_frames;

TEST(dhcp_intake, hands_a_discover_from_no_address_to_the_lease_manager) {
  etherbeam::testing::lab_stack stack;
  for (auto frame : {std::span<const std::uint8_t>(dhclient_discover), std::span<const std::uint8_t>(udhcpc_discover),
                     std::span<const std::uint8_t>(dhcpcd_discover)}) {
    auto v = stack.decide(frame);
    EXPECT_EQ(v.outcome, verdict::kind::handed_off);
    EXPECT_EQ(v.name(), "handed_to_dhcp");
  }
  ASSERT_EQ(stack.handed.size(), 3u);
  const auto& first = stack.handed[0];
  EXPECT_EQ(first.message.message_type, dhcp_message_type::discover);
  EXPECT_TRUE(first.ip_source.is_unspecified());
  EXPECT_EQ(first.server_mac, *stack.me.mac);
  EXPECT_EQ(first.ethernet.source, first.message.client_hardware);
  EXPECT_EQ(stack.backlog->inside(), 3);
  EXPECT_EQ(stack.counters->named.value("handed_to_dhcp"), 3u);
}

TEST(dhcp_intake, counts_a_broken_message_under_dhcp_and_hands_nothing) {
  etherbeam::testing::lab_stack stack;
  auto frame = copy_of(dhclient_discover);
  // The magic cookie sits after the fixed BOOTP fields (236 bytes into UDP's payload).
  std::size_t cookie = ip_at + 20 + 8 + 236;
  frame[cookie] ^= 0xff;
  // The UDP checksum no longer matches: zero means "none computed" (RFC 768).
  frame[ip_at + 20 + 6] = frame[ip_at + 20 + 7] = 0;
  EXPECT_EQ(stack.decide(frame).name(), "malformed.dhcp.bad_magic_cookie");
  EXPECT_TRUE(stack.handed.empty());
}

TEST(dhcp_intake, refuses_beyond_its_backlog_and_counts_an_absent_lease_manager) {
  etherbeam::testing::lab_stack stack{2};
  for (int i = 0; i < 3; ++i) stack.decide(dhclient_discover);
  EXPECT_EQ(stack.handed.size(), 2u);
  EXPECT_EQ(stack.counters->named.value("overload.dhcp_dropped"), 1u);
  stack.backlog->reset();
  stack.lease_manager_running = false;
  stack.decide(dhclient_discover);
  EXPECT_EQ(stack.counters->named.value("dhcp_server_absent"), 1u);
  EXPECT_EQ(stack.backlog->inside(), 0) << "a message nobody took holds no place";
}

TEST(dhcp_intake, leaves_arp_and_ping_to_the_host_application) {
  etherbeam::testing::lab_stack stack;
  EXPECT_EQ(stack.decide(kernel_arp_request).name(), "reply.arp_reply");
  stack.me.mac = mac_address::from_string("ce:89:d7:ed:bc:38"); // the echo capture's destination
  EXPECT_EQ(stack.decide(echo_request).name(), "ignored.not_our_address");
  EXPECT_TRUE(stack.handed.empty());
}
