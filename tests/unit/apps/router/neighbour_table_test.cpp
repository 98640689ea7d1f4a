#include "apps/router/neighbour_table.hpp"

#include <gtest/gtest.h>
#include "tests/unit/test_values.hpp"

using namespace etherbeam::apps::router;
using namespace etherbeam::protocols;
using namespace std::chrono_literals;
using state = neighbour_table::state;

namespace {

using etherbeam::testing::ip;
const mac_address neighbour_mac = *mac_address::from_string("02:00:00:00:00:09");

// Records what the table asks for.
struct recorder {
  std::vector<std::pair<mac_address, neighbour_table::packet>> sent;
  std::vector<std::pair<ipv4_address, std::optional<mac_address>>> asked;
  std::vector<etherbeam::actors::link_index> ports; // where each sent packet left
  std::size_t undeliverable = 0;
  neighbour_table::output out() {
    return {[this](const neighbour_table::location& at, neighbour_table::packet&& p) {
              sent.emplace_back(at.mac, std::move(p));
              ports.push_back(at.port);
            },
            [this](ipv4_address t, std::optional<neighbour_table::location> to) {
              asked.emplace_back(t, to ? std::optional{to->mac} : std::nullopt);
            },
            [this](neighbour_table::packet&&) { ++undeliverable; }};
  }
};

neighbour_table::packet packet(std::uint8_t tag) { return {0x45, tag}; }

std::string name_b(etherbeam::actors::link_index) { return "b"; }

} // namespace

TEST(NeighbourTable, AsksByBroadcastQueuesAndSendsOnTheAnswer) {
  neighbour_table table({});
  recorder r;
  auto t0 = neighbour_table::clock::now();
  EXPECT_EQ(table.route(ip("10.88.0.1"), packet(1), t0, r.out()), neighbour_table::outcome::queued);
  EXPECT_EQ(table.route(ip("10.88.0.1"), packet(2), t0, r.out()), neighbour_table::outcome::queued);
  ASSERT_EQ(r.asked.size(), 1u) << "one question for both packets";
  EXPECT_FALSE(r.asked[0].second) << "broadcast";
  EXPECT_EQ(table.state_of(ip("10.88.0.1")), state::incomplete);
  table.heard(ip("10.88.0.1"), {neighbour_mac, 1}, true, t0 + 10ms, r.out());
  EXPECT_EQ(table.state_of(ip("10.88.0.1")), state::reachable);
  ASSERT_EQ(r.sent.size(), 2u);
  EXPECT_EQ(r.sent[0].first, neighbour_mac);
  EXPECT_EQ(r.sent[0].second, packet(1)) << "in the order they came";
  EXPECT_EQ(table.route(ip("10.88.0.1"), packet(3), t0 + 20ms, r.out()), neighbour_table::outcome::sent);
}

TEST(NeighbourTable, GivesUpAfterThreeUnansweredQuestions) {
  neighbour_table table({});
  recorder r;
  auto t0 = neighbour_table::clock::now();
  table.route(ip("10.88.0.5"), packet(1), t0, r.out());
  for (int s = 1; s <= 3; ++s) table.tick(t0 + std::chrono::seconds(s), r.out());
  EXPECT_EQ(r.asked.size(), 3u);
  EXPECT_EQ(table.state_of(ip("10.88.0.5")), state::failed);
  EXPECT_EQ(r.undeliverable, 1u);
  // Asked again from the start when a packet comes for it.
  EXPECT_EQ(table.route(ip("10.88.0.5"), packet(2), t0 + 4s, r.out()), neighbour_table::outcome::queued);
  EXPECT_EQ(r.asked.size(), 4u);
}

TEST(NeighbourTable, StaleAfterThirtySecondsThenProbedByUnicastWhileStillUsed) {
  neighbour_table table({});
  recorder r;
  auto t0 = neighbour_table::clock::now();
  table.route(ip("10.88.0.1"), packet(1), t0, r.out());
  table.heard(ip("10.88.0.1"), {neighbour_mac, 1}, true, t0, r.out());
  table.tick(t0 + 31s, r.out());
  EXPECT_EQ(table.state_of(ip("10.88.0.1")), state::stale);
  r.asked.clear();
  EXPECT_EQ(table.route(ip("10.88.0.1"), packet(2), t0 + 32s, r.out()), neighbour_table::outcome::sent);
  ASSERT_EQ(r.asked.size(), 1u);
  EXPECT_EQ(r.asked[0].second, neighbour_mac) << "a unicast probe";
  EXPECT_EQ(table.state_of(ip("10.88.0.1")), state::probe);
  table.heard(ip("10.88.0.1"), {neighbour_mac, 1}, true, t0 + 32500ms, r.out());
  EXPECT_EQ(table.state_of(ip("10.88.0.1")), state::reachable);
}

TEST(NeighbourTable, LearnsFromRequestsButNotFromUnaskedReplies) {
  neighbour_table table({});
  recorder r;
  auto t0 = neighbour_table::clock::now();
  table.heard(ip("10.88.0.7"), {neighbour_mac, 1}, false, t0, r.out());
  EXPECT_EQ(table.state_of(ip("10.88.0.7")), state::stale) << "as Linux learns from a request to itself";
  table.heard(ip("10.88.0.8"), {neighbour_mac, 1}, true, t0, r.out());
  EXPECT_FALSE(table.state_of(ip("10.88.0.8"))) << "a reply nobody asked for";
}

TEST(NeighbourTable, BoundsTheQueueAndTheTable) {
  neighbour_table table({.max_entries = 2, .queue_per_neighbour = 2});
  recorder r;
  auto t0 = neighbour_table::clock::now();
  table.route(ip("10.88.0.1"), packet(1), t0, r.out());
  table.route(ip("10.88.0.1"), packet(2), t0, r.out());
  EXPECT_EQ(table.route(ip("10.88.0.1"), packet(3), t0, r.out()), neighbour_table::outcome::queue_full);
  table.route(ip("10.88.0.2"), packet(1), t0, r.out());
  EXPECT_EQ(table.route(ip("10.88.0.3"), packet(1), t0, r.out()), neighbour_table::outcome::table_full);
  EXPECT_EQ(table.size(), 2u);
}

TEST(NeighbourTable, AFullTableForgetsWhatWasNotConfirmedOrUsedFor5SecondsToMakeRoom) {
  // As Linux's forced garbage collection: ARP requests from spoofed senders (each
  // learned STALE) fill the table; 5 s later a real next hop still gets in.
  neighbour_table table({.max_entries = 3});
  recorder r;
  auto t0 = neighbour_table::clock::now();
  for (const char* spoofed : {"10.88.0.101", "10.88.0.102", "10.88.0.103"})
    table.heard(ip(spoofed), {neighbour_mac, 1}, false, t0, r.out());
  EXPECT_EQ(table.route(ip("10.88.0.1"), packet(1), t0 + 1s, r.out()), neighbour_table::outcome::table_full)
    << "all of them heard a second ago";
  table.route(ip("10.88.0.102"), packet(2), t0 + 4s, r.out()); // one of them in use
  EXPECT_EQ(table.route(ip("10.88.0.1"), packet(1), t0 + 6s, r.out()), neighbour_table::outcome::queued);
  EXPECT_TRUE(table.state_of(ip("10.88.0.102"))) << "used 2 s ago: kept";
  EXPECT_FALSE(table.state_of(ip("10.88.0.101")));
  EXPECT_FALSE(table.state_of(ip("10.88.0.103")));
  EXPECT_EQ(table.size(), 2u);
}

TEST(NeighbourTable, AFullTableForgetsAFailedNeighbourAtOnce) {
  neighbour_table table({.max_entries = 1});
  recorder r;
  auto t0 = neighbour_table::clock::now();
  table.route(ip("10.88.0.9"), packet(1), t0, r.out());
  for (int s = 1; s <= 3; ++s) table.tick(t0 + std::chrono::seconds(s), r.out());
  ASSERT_EQ(table.state_of(ip("10.88.0.9")), state::failed);
  EXPECT_EQ(table.route(ip("10.88.0.1"), packet(1), t0 + 3s, r.out()), neighbour_table::outcome::queued);
}

TEST(NeighbourTable, ForgetsWhatGoesUnusedForAMinute) {
  neighbour_table table({});
  recorder r;
  auto t0 = neighbour_table::clock::now();
  table.heard(ip("10.88.0.7"), {neighbour_mac, 1}, false, t0, r.out());
  table.tick(t0 + 59s, r.out());
  EXPECT_EQ(table.size(), 1u);
  table.tick(t0 + 61s, r.out());
  EXPECT_EQ(table.size(), 0u);
}

TEST(NeighbourTable, ListsItsNeighboursAsIpNeighDoes) {
  neighbour_table table({});
  recorder r;
  auto t0 = neighbour_table::clock::now();
  EXPECT_EQ(table.list(name_b, 1), "");
  table.route(ip("10.88.0.20"), packet(1), t0, r.out());
  table.route(ip("10.88.0.20"), packet(2), t0, r.out());
  table.route(ip("10.88.0.3"), packet(3), t0, r.out());
  table.heard(ip("10.88.0.3"), {neighbour_mac, 1}, true, t0, r.out());
  EXPECT_EQ(table.list(name_b, 1), "10.88.0.3 dev b lladdr 02:00:00:00:00:09 REACHABLE\n"
                             "10.88.0.20 dev b INCOMPLETE (2 packets waiting)\n");
  for (int s = 1; s <= 3; ++s) table.tick(t0 + std::chrono::seconds(s), r.out());
  EXPECT_EQ(table.list(name_b, 1), "10.88.0.3 dev b lladdr 02:00:00:00:00:09 REACHABLE\n10.88.0.20 dev b FAILED\n");
}

TEST(NeighbourTable, SendsByTheBridgedLinkANeighbourAnsweredOn) {
  // Link 1 bridged with links 2 and 3: the neighbour answers on link 3.
  neighbour_table table({});
  recorder r;
  auto t0 = neighbour_table::clock::now();
  table.route(ip("10.88.0.1"), packet(1), t0, r.out());
  table.heard(ip("10.88.0.1"), {neighbour_mac, 3}, true, t0 + 10ms, r.out());
  table.route(ip("10.88.0.1"), packet(2), t0 + 20ms, r.out());
  EXPECT_EQ(r.ports, (std::vector<etherbeam::actors::link_index>{3, 3}));
  EXPECT_EQ(table.location_of(ip("10.88.0.1")), (neighbour_table::location{neighbour_mac, 3}));
  EXPECT_EQ(table.list([](etherbeam::actors::link_index l) { return "link" + std::to_string(l); }, 1),
            "10.88.0.1 dev link3 lladdr 02:00:00:00:00:09 REACHABLE\n");
  // It moves to link 2 (a gratuitous ARP there): no longer sure, and sent by link 2 from now on.
  table.heard(ip("10.88.0.1"), {neighbour_mac, 2}, false, t0 + 30ms, r.out());
  EXPECT_EQ(table.state_of(ip("10.88.0.1")), state::stale);
  table.route(ip("10.88.0.1"), packet(3), t0 + 40ms, r.out());
  EXPECT_EQ(r.ports.back(), 2);
}

TEST(NeighbourTable, OtherArpUpdatesAKnownNeighbourAndCreatesNone) {
  neighbour_table table({});
  recorder r;
  auto t0 = neighbour_table::clock::now();
  table.heard(ip("10.88.0.5"), {neighbour_mac, 1}, false, t0, r.out(), true); // a gratuitous ARP
  EXPECT_FALSE(table.state_of(ip("10.88.0.5")));
  table.route(ip("10.88.0.1"), packet(1), t0, r.out());
  table.heard(ip("10.88.0.1"), {neighbour_mac, 1}, true, t0, r.out());
  table.heard(ip("10.88.0.1"), {neighbour_mac, 2}, false, t0 + 10ms, r.out(), true); // it moved, and says so
  EXPECT_EQ(table.location_of(ip("10.88.0.1")), (neighbour_table::location{neighbour_mac, 2}));
  EXPECT_EQ(table.state_of(ip("10.88.0.1")), state::stale);
}
