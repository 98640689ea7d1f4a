#include "apps/udp_echo/udp_echo.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "actors/dispatcher.hpp"
#include "protocols/checksum.hpp"
#include "protocols/ethernet.hpp"
#include "protocols/ipv4.hpp"
#include "protocols/udp.hpp"
#include "tests/unit/frame_bytes.hpp"

using namespace etherbeam::actors;
using namespace etherbeam::apps::udp_echo;
using namespace etherbeam::protocols;
using namespace etherbeam::test_frames;

namespace {

// The lab capture: 10.77.0.1:39988 -> 10.77.0.2:9999, "etherbeam". The echo
// is registered on that port here; etherbeam registers it on 7 by default.
constexpr std::uint16_t captured_port = 9999;

stack_identity lab_identity() {
  stack_identity me;
  me.addresses.push_back(*ipv4_interface::from_string("10.77.0.2/24"));
  me.mac = mac_address::from_string("ce:89:d7:ed:bc:38");
  return me;
}

struct echo_stack {
  counter_registry counters;
  dispatcher dispatch{{{"udp_echo", frame_match::udp(captured_port), std::make_shared<udp_echo>(counters)}},
                      counters};
  std::vector<std::uint8_t> reply;

  verdict decide(std::span<const std::uint8_t> frame, const stack_identity& me = lab_identity()) {
    reply.assign(frame.size(), 0);
    auto v = dispatch.decide(frame, me, reply);
    reply.resize(v.reply_len);
    return v;
  }
};

// Rewrites the captured datagram's source port, without a checksum (RFC 768: zero is none).
std::vector<std::uint8_t> from_port(std::uint16_t port) {
  auto frame = copy_of(udp_datagram);
  write_be16(frame, 34, port);
  write_be16(frame, 40, 0);
  return frame;
}

} // namespace

TEST(udp_echo, sends_the_datagram_back_to_its_sender_payload_unchanged) {
  echo_stack stack;
  auto v = stack.decide(udp_datagram);
  ASSERT_EQ(v.name(), "reply.udp_echo");
  auto eth = ethernet_frame::check(stack.reply);
  ASSERT_TRUE(eth);
  auto request = ethernet_repr::parse(*ethernet_frame::check(udp_datagram));
  EXPECT_EQ(eth->destination(), request.source);
  EXPECT_EQ(eth->source(), *lab_identity().mac);
  auto ip = ipv4_packet::check(eth->payload());
  ASSERT_TRUE(ip);
  ASSERT_TRUE(ipv4_repr::parse(*ip)) << "IP header checksum";
  EXPECT_EQ(ip->source().to_string(), "10.77.0.2");
  EXPECT_EQ(ip->destination().to_string(), "10.77.0.1");
  auto udp = udp_repr::parse(*udp_packet::check(ip->payload()), ip->source(), ip->destination());
  ASSERT_TRUE(udp) << "UDP checksum";
  EXPECT_EQ(udp->source_port, captured_port);
  EXPECT_EQ(udp->destination_port, 39988);
  EXPECT_EQ(std::string(udp->payload.begin(), udp->payload.end()), "etherbeam");
  EXPECT_EQ(stack.reply.size(), sizeof udp_datagram) << "no larger than the request";
}

TEST(udp_echo, never_echoes_to_a_service_that_answers_everything) {
  echo_stack stack;
  for (std::uint16_t port : {0, 7, 13, 17, 19, 37})
    EXPECT_EQ(stack.decide(from_port(port)).name(), "ignored.udp_echo_from_service_port") << port;
  EXPECT_EQ(stack.decide(from_port(40000)).name(), "reply.udp_echo");
}

TEST(udp_echo, never_answers_a_broadcast) {
  echo_stack stack;
  auto frame = from_port(40000);
  // To the subnet's broadcast, 10.77.0.255, with the IP checksum made anew.
  frame[33] = 0xff;
  write_be16(frame, 24, 0);
  write_be16(frame, 24, checksum_of(std::span<const std::uint8_t>(frame).subspan(14, 20)));
  frame[0] = frame[1] = frame[2] = frame[3] = frame[4] = frame[5] = 0xff;
  EXPECT_EQ(stack.decide(frame).name(), "ignored.udp_echo_to_broadcast");
}
