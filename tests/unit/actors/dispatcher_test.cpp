#include "actors/dispatcher.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/unit/frame_bytes.hpp"

using namespace etherbeam::actors;
using namespace etherbeam::protocols;
using namespace etherbeam::test_frames;

namespace {

// Records what reached it and answers with a fixed verdict.
class recording_decider final : public frame_decider {
public:
  recording_decider(named_counter& c, verdict::kind k = verdict::kind::ignored) : counter_(c), kind_(k) {}
  verdict decide(const inbound_frame& in, byte_buffer) const override {
    ++seen;
    last_udp_port = in.udp ? in.udp->destination_port : 0;
    last_local = in.local_address;
    if (kind_ == verdict::kind::pass) return verdict::pass();
    return verdict::ignore(counter_);
  }
  mutable int seen = 0;
  mutable std::uint16_t last_udp_port = 0;
  mutable ipv4_address last_local;

private:
  named_counter& counter_;
  verdict::kind kind_;
};

stack_identity lab_identity() {
  stack_identity me;
  me.addresses.push_back(*ipv4_interface::from_string("10.77.0.2/24"));
  me.mac = mac_address::from_string("ce:89:d7:ed:bc:38");
  return me;
}

verdict decide(const dispatcher& d, std::span<const std::uint8_t> frame) {
  std::vector<std::uint8_t> reply(frame.size());
  return d.decide(frame, lab_identity(), reply);
}

} // namespace

TEST(dispatcher, routes_by_ethertype_ip_protocol_and_udp_port) {
  counter_registry counters;
  auto arp = std::make_shared<recording_decider>(counters.add("test.arp"));
  auto icmp = std::make_shared<recording_decider>(counters.add("test.icmp"));
  dispatcher d{{{"a", frame_match::of_ethertype(ethertype::arp), arp},
                {"b", frame_match::of_ip_protocol(ip_protocol::icmp), icmp}},
               counters};
  EXPECT_EQ(decide(d, arp_request).name(), "test.arp");
  EXPECT_EQ(decide(d, echo_request).name(), "test.icmp");
  EXPECT_EQ(decide(d, udp_datagram).name(), "ignored.no_udp_service") << "no registration for its port";
  EXPECT_EQ(icmp->last_local.to_string(), "10.77.0.2");
}

TEST(dispatcher, a_udp_port_registration_gets_its_datagrams_parsed) {
  counter_registry counters;
  auto udp = std::make_shared<recording_decider>(counters.add("test.udp"));
  auto frame = *ethernet_frame::check(udp_datagram);
  auto packet = *ipv4_packet::check(frame.payload());
  auto port = udp_packet::check(packet.payload())->destination_port();
  dispatcher d{{{"echo", frame_match::udp(port), udp}}, counters};
  auto me = lab_identity();
  me.addresses = {ipv4_interface{packet.destination(), 24}};
  std::vector<std::uint8_t> reply(sizeof udp_datagram);
  EXPECT_EQ(d.decide(udp_datagram, me, reply).name(), "test.udp");
  EXPECT_EQ(udp->last_udp_port, port);
}

TEST(dispatcher, stages_see_every_frame_first_and_may_pass) {
  counter_registry counters;
  auto tap = std::make_shared<recording_decider>(counters.add("test.tap"), verdict::kind::pass);
  auto firewall = std::make_shared<recording_decider>(counters.add("test.dropped"));
  dispatcher passing{{{"tap", frame_match::every(), tap}}, counters};
  EXPECT_EQ(decide(passing, echo_request).name(), "ignored.unsupported_ip_protocol") << "ICMP is nobody's here";
  EXPECT_EQ(tap->seen, 1);
  dispatcher dropping{{{"tap", frame_match::every(), tap}, {"fw", frame_match::every(), firewall}}, counters};
  EXPECT_EQ(decide(dropping, arp_request).name(), "test.dropped");
  EXPECT_EQ(tap->seen, 2) << "stages run in registration order";
}

TEST(dispatcher, a_frame_given_back_by_a_stage_resumes_after_it) {
  counter_registry counters;
  auto tap = std::make_shared<recording_decider>(counters.add("test.tap"), verdict::kind::pass);
  auto firewall = std::make_shared<recording_decider>(counters.add("test.to_flow_actor"));
  auto later = std::make_shared<recording_decider>(counters.add("test.later"), verdict::kind::pass);
  auto arp = std::make_shared<recording_decider>(counters.add("test.arp"));
  dispatcher d{{{"tap", frame_match::every(), tap},
                {"fw", frame_match::every(), firewall},
                {"later", frame_match::every(), later},
                {"arp", frame_match::of_ethertype(ethertype::arp), arp}},
               counters};
  std::vector<std::uint8_t> reply(sizeof arp_request);
  EXPECT_EQ(d.decide(arp_request, lab_identity(), reply).name(), "test.to_flow_actor");
  // Given back by the firewall's actor: neither the tap nor the firewall sees it again.
  EXPECT_EQ(d.decide(arp_request, lab_identity(), reply, nullptr, 0, firewall.get()).name(), "test.arp");
  EXPECT_EQ(tap->seen, 1);
  EXPECT_EQ(firewall->seen, 1);
  EXPECT_EQ(later->seen, 1);
}

TEST(dispatcher, unclaimed_frames_go_to_the_forwarding_plane_when_there_is_one) {
  counter_registry counters;
  auto plane = std::make_shared<recording_decider>(counters.add("test.forwarded"));
  dispatcher without{{}, counters};
  dispatcher with{{{"router", frame_match::unclaimed_frames(), plane}}, counters};
  auto me = lab_identity();
  me.addresses = {*ipv4_interface::from_string("10.99.0.1/24")}; // the echo is for someone else
  std::vector<std::uint8_t> reply(sizeof echo_request);
  EXPECT_EQ(without.decide(echo_request, me, reply).name(), "ignored.not_our_address");
  EXPECT_EQ(with.decide(echo_request, me, reply).name(), "test.forwarded");
  EXPECT_EQ(decide(with, arp_request).name(), "test.forwarded") << "no ARP registration";
}

TEST(dispatcher, refuses_two_registrations_for_one_port_naming_both) {
  counter_registry counters;
  auto a = std::make_shared<recording_decider>(counters.add("test.a"));
  try {
    dispatcher d{{{"echo", frame_match::udp(7), a}, {"other", frame_match::udp(7), a}}, counters};
    FAIL() << "a clash must be refused";
  } catch (const registration_clash& e) {
    EXPECT_NE(std::string(e.what()).find("UDP port 7 is claimed by both echo and other"), std::string::npos) << e.what();
  }
  EXPECT_THROW((dispatcher{{{"x", frame_match::of_ethertype(ethertype::ipv4), a}}, counters}), std::invalid_argument);
  EXPECT_THROW((dispatcher{{{"x", frame_match::of_ip_protocol(ip_protocol::udp), a}}, counters}), std::invalid_argument);
}

TEST(dispatcher, a_malformed_frame_is_counted_under_the_layer_that_refused_it) {
  counter_registry counters;
  dispatcher d{{}, counters};
  std::vector<std::uint8_t> runt(10, 0);
  auto v = decide(d, runt);
  EXPECT_EQ(v.outcome, verdict::kind::malformed);
  EXPECT_EQ(v.name(), "malformed.ethernet.truncated");
  v.record();
  EXPECT_EQ(counters.value("malformed.ethernet.truncated"), 1u);
}
