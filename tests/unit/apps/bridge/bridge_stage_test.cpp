#include "apps/bridge/bridge_stage.hpp"

#include <gtest/gtest.h>

#include "actors/dispatcher.hpp"
#include "tests/unit/frame_bytes.hpp"

using namespace etherbeam::actors;
using namespace etherbeam::apps::bridge;
using namespace etherbeam::protocols;
using namespace etherbeam::test_frames;

namespace {

using frame = std::vector<std::uint8_t>;

// Three links bridged; etherbeam is 10.77.0.2 with MAC ce:89:d7:ed:bc:38 on link 0
// (the lab's capture), and has its own MAC on the others.
stack_identity on_link(link_index l) {
  stack_identity me;
  if (l == 0) me.addresses.push_back(*ipv4_interface::from_string("10.77.0.2/24"));
  me.mac = mac_address::from_string(l == 0 ? "ce:89:d7:ed:bc:38" : l == 1 ? "02:00:00:00:0b:02" : "02:00:00:00:0c:02");
  return me;
}

// Stands in for the host's ARP responder: claims ARP to show that a frame went on past the bridge.
struct arp_taken final : frame_decider {
  named_counter& taken;
  explicit arp_taken(counter_registry& c) : taken(c.add("test.arp_taken")) {}
  verdict decide(const inbound_frame&, byte_buffer) const override { return verdict::ignore(taken); }
};

struct bridge_under_test {
  counter_registry counters;
  std::vector<std::pair<link_index, frame>> sent;
  std::shared_ptr<bridge_stage> stage = std::make_shared<bridge_stage>(
    counters, std::vector<link_index>{0, 1, 2}, mac_table::settings{},
    [this](link_index l, byte_view bytes, caf::execution_unit*) { sent.emplace_back(l, frame(bytes.begin(), bytes.end())); });
  dispatcher dispatch{{{"bridge", frame_match::every(), stage},
                       {"host", frame_match::of_ethertype(ethertype::arp), std::make_shared<arp_taken>(counters)}},
                      counters};

  verdict decide(const frame& f, link_index link) {
    frame out(std::max(f.size(), min_reply_room));
    return dispatch.decide(f, on_link(link), out, nullptr, link);
  }
};

// The lab's echo request (from 1e:58:23:16:e0:6f) readdressed to another host's MAC.
frame echo_between(const char* from, const char* to) {
  auto f = copy_of(echo_request);
  auto d = *mac_address::from_string(to), s = *mac_address::from_string(from);
  std::copy(d.octets.begin(), d.octets.end(), f.begin());
  std::copy(s.octets.begin(), s.octets.end(), f.begin() + 6);
  return f;
}

} // namespace

TEST(bridge_stage, floods_an_unknown_unicast_then_forwards_once_the_mac_is_learned) {
  bridge_under_test b;
  auto v = b.decide(echo_between("02:00:00:00:00:0a", "02:00:00:00:00:0b"), 0);
  EXPECT_EQ(v.outcome, verdict::kind::handed_off);
  ASSERT_EQ(b.sent.size(), 2u); // to links 1 and 2, never back to 0
  EXPECT_EQ(b.sent[0].first, 1u);
  EXPECT_EQ(b.sent[1].first, 2u);
  EXPECT_EQ(b.sent[0].second, echo_between("02:00:00:00:00:0a", "02:00:00:00:00:0b")) << "the frame unchanged";
  b.sent.clear();
  b.decide(echo_between("02:00:00:00:00:0b", "02:00:00:00:00:0a"), 2); // the answer teaches where 0b is
  ASSERT_EQ(b.sent.size(), 1u);
  EXPECT_EQ(b.sent[0].first, 0u); // 0a was learned on link 0
  b.sent.clear();
  v = b.decide(echo_between("02:00:00:00:00:0a", "02:00:00:00:00:0b"), 0);
  ASSERT_EQ(b.sent.size(), 1u);
  EXPECT_EQ(b.sent[0].first, 2u);
  EXPECT_EQ(v.tally->name, "bridge.forwarded");
}

TEST(bridge_stage, drops_a_frame_for_a_host_on_the_link_it_came_from) {
  bridge_under_test b;
  b.decide(echo_between("02:00:00:00:00:0b", "ff:ff:ff:ff:ff:ff"), 1);
  b.sent.clear();
  auto v = b.decide(echo_between("02:00:00:00:00:0a", "02:00:00:00:00:0b"), 1);
  EXPECT_EQ(v.outcome, verdict::kind::ignored);
  EXPECT_TRUE(b.sent.empty());
}

TEST(bridge_stage, floods_broadcasts_and_still_answers_for_its_own_address) {
  bridge_under_test b;
  auto v = b.decide(copy_of(arp_request), 0); // the lab's ARP request for 10.77.0.2, broadcast
  EXPECT_EQ(b.sent.size(), 2u);
  EXPECT_EQ(v.tally->name, "test.arp_taken") << "then the dispatcher's ARP responder";
  EXPECT_EQ(b.counters.value("bridge.flooded"), 1u);
}

TEST(bridge_stage, keeps_frames_for_its_own_mac_and_link_local_groups) {
  bridge_under_test b;
  b.decide(copy_of(echo_request), 0); // to ce:89:d7:ed:bc:38, etherbeam on link 0
  EXPECT_TRUE(b.sent.empty());
  b.decide(echo_between("02:00:00:00:00:0a", "01:80:c2:00:00:00"), 0); // STP's group
  EXPECT_TRUE(b.sent.empty());
}

TEST(bridge_stage, learns_a_mac_again_when_it_moves) {
  bridge_under_test b;
  b.decide(echo_between("02:00:00:00:00:0b", "ff:ff:ff:ff:ff:ff"), 1);
  b.decide(echo_between("02:00:00:00:00:0b", "ff:ff:ff:ff:ff:ff"), 2); // 0b now behind link 2
  EXPECT_EQ(b.counters.value("bridge.mac_moved"), 1u);
  b.sent.clear();
  b.decide(echo_between("02:00:00:00:00:0a", "02:00:00:00:00:0b"), 0);
  ASSERT_EQ(b.sent.size(), 1u);
  EXPECT_EQ(b.sent[0].first, 2u);
}
