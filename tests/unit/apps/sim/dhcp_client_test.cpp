// The simulated host's DHCP client against RFC 2131 §4.4, event by event.
#include "apps/sim/dhcp_client.hpp"

#include <gtest/gtest.h>
#include "tests/unit/test_values.hpp"

using namespace etherbeam;
using namespace etherbeam::apps::sim;
using protocols::dhcp_message_type;
using namespace std::chrono_literals;

namespace {

using etherbeam::testing::ip;

const client_timing timing;
const auto t0 = sim_clock::time_point{} + 1000s;

server_answer answer(dhcp_message_type type, std::uint32_t xid, const char* yiaddr = "10.77.0.100",
                     std::optional<std::uint32_t> lease = 600) {
  return {type, xid, ip(yiaddr), ip("10.77.0.2"), lease, std::nullopt, std::nullopt};
}

// DISCOVER, OFFER, REQUEST, ACK, and a quiet ARP check: bound at t0 + 2 s.
dhcp_client bound_client() {
  dhcp_client c{42};
  auto xid = c.start(t0, timing).send->transaction_id;
  c.on_answer(answer(dhcp_message_type::offer, xid), t0 + 1s, timing);
  c.on_answer(answer(dhcp_message_type::ack, xid), t0 + 1s, timing);
  c.on_timer(t0 + 2s, timing);
  return c;
}

} // namespace

TEST(dhcp_client, discovers_requests_the_offer_checks_it_by_arp_and_binds) {
  dhcp_client c{42};
  auto discover = c.start(t0, timing).send;
  ASSERT_TRUE(discover);
  EXPECT_EQ(discover->type, dhcp_message_type::discover);
  EXPECT_FALSE(discover->unicast_to);
  EXPECT_EQ(c.state(), client_state::selecting);
  EXPECT_GE(c.next_timer(), t0 + 3s);
  EXPECT_LE(c.next_timer(), t0 + 5s);

  auto request = c.on_answer(answer(dhcp_message_type::offer, discover->transaction_id), t0 + 1s, timing).send;
  ASSERT_TRUE(request);
  EXPECT_EQ(request->type, dhcp_message_type::request);
  EXPECT_EQ(request->transaction_id, discover->transaction_id);
  EXPECT_EQ(request->requested, ip("10.77.0.100"));
  EXPECT_EQ(request->server_id, ip("10.77.0.2"));
  EXPECT_TRUE(request->client_address.is_unspecified()); // ciaddr is 0 in SELECTING
  EXPECT_EQ(request->seconds, 1);

  auto checked = c.on_answer(answer(dhcp_message_type::ack, discover->transaction_id), t0 + 1s, timing);
  EXPECT_FALSE(checked.send);
  EXPECT_EQ(checked.probe, ip("10.77.0.100"));
  EXPECT_EQ(c.state(), client_state::checking);
  EXPECT_FALSE(c.lease());

  c.on_timer(t0 + 2s, timing);
  ASSERT_EQ(c.state(), client_state::bound);
  EXPECT_EQ(c.lease()->address, ip("10.77.0.100"));
  EXPECT_EQ(c.lease()->server, ip("10.77.0.2"));
  EXPECT_EQ(c.lease()->obtained, t0 + 1s); // from when the REQUEST left (§4.4.1)
  EXPECT_EQ(c.next_timer(), t0 + 1s + 300s); // T1: half of 600 s
}

TEST(dhcp_client, retransmits_with_exponential_back_off_and_randomisation) {
  dhcp_client c{7};
  auto first = c.start(t0, timing).send;
  auto now = t0;
  for (int expected : {4, 8, 16, 32, 64, 64}) {
    auto waited = c.next_timer() - now;
    EXPECT_GE(waited, std::chrono::seconds(expected - 1)) << expected;
    EXPECT_LE(waited, std::chrono::seconds(expected + 1)) << expected;
    now = c.next_timer();
    auto again = c.on_timer(now, timing).send;
    ASSERT_TRUE(again);
    EXPECT_EQ(again->type, dhcp_message_type::discover);
    EXPECT_EQ(again->transaction_id, first->transaction_id);
    EXPECT_EQ(again->seconds, std::chrono::duration_cast<std::chrono::seconds>(now - t0).count());
  }
  // Before its time, a timer does nothing.
  EXPECT_FALSE(c.on_timer(now + 1s, timing).send);
}

TEST(dhcp_client, two_hosts_do_not_retransmit_in_lockstep) {
  dhcp_client a{1}, b{2};
  a.start(t0, timing);
  b.start(t0, timing);
  EXPECT_NE(a.next_timer(), b.next_timer());
}

TEST(dhcp_client, renews_by_unicast_at_t1_and_rebinds_by_broadcast_at_t2) {
  auto c = bound_client();
  auto t1 = c.lease()->t1();
  auto renew = c.on_timer(t1, timing).send;
  ASSERT_TRUE(renew);
  EXPECT_EQ(c.state(), client_state::renewing);
  EXPECT_EQ(renew->type, dhcp_message_type::request);
  EXPECT_EQ(renew->client_address, ip("10.77.0.100")); // ciaddr, and no option 50 or 54 (§4.3.2)
  EXPECT_FALSE(renew->requested);
  EXPECT_FALSE(renew->server_id);
  EXPECT_EQ(renew->unicast_to, ip("10.77.0.2"));
  // No answer: again after half the time to T2 (at least 60 s), then at T2 broadcast.
  auto t2 = c.lease()->t2();
  EXPECT_EQ(c.next_timer(), t1 + std::max<sim_clock::duration>((t2 - t1) / 2, 60s));
  while (c.next_timer() < t2) c.on_timer(c.next_timer(), timing);
  auto rebind = c.on_timer(t2, timing).send;
  ASSERT_TRUE(rebind);
  EXPECT_EQ(c.state(), client_state::rebinding);
  EXPECT_EQ(rebind->client_address, ip("10.77.0.100"));
  EXPECT_FALSE(rebind->unicast_to);
  // An ACK now: bound again, the lease counted from this REQUEST.
  c.on_answer(answer(dhcp_message_type::ack, rebind->transaction_id), t2 + 1s, timing);
  EXPECT_EQ(c.state(), client_state::bound);
  EXPECT_EQ(c.lease()->obtained, t2);
  EXPECT_EQ(c.next_timer(), t2 + 300s);
}

TEST(dhcp_client, a_lease_that_ends_unrenewed_is_given_up) {
  auto c = bound_client();
  auto ends = c.lease()->ends();
  while (c.state() != client_state::selecting) {
    ASSERT_LE(c.next_timer(), ends);
    c.on_timer(c.next_timer(), timing);
  }
  EXPECT_FALSE(c.lease());
}

TEST(dhcp_client, a_nak_starts_over_with_a_new_transaction) {
  dhcp_client c{3};
  auto xid = c.start(t0, timing).send->transaction_id;
  c.on_answer(answer(dhcp_message_type::offer, xid), t0 + 1s, timing);
  auto discover = c.on_answer(answer(dhcp_message_type::nak, xid, "0.0.0.0", std::nullopt), t0 + 1s, timing).send;
  ASSERT_TRUE(discover);
  EXPECT_EQ(discover->type, dhcp_message_type::discover);
  EXPECT_NE(discover->transaction_id, xid);
  EXPECT_EQ(c.state(), client_state::selecting);
}

TEST(dhcp_client, a_conflict_found_by_arp_is_declined_and_it_waits_ten_seconds) {
  dhcp_client c{4};
  auto xid = c.start(t0, timing).send->transaction_id;
  c.on_answer(answer(dhcp_message_type::offer, xid), t0, timing);
  c.on_answer(answer(dhcp_message_type::ack, xid), t0, timing);
  auto decline = c.on_conflict(t0 + 500ms, timing).send;
  ASSERT_TRUE(decline);
  EXPECT_EQ(decline->type, dhcp_message_type::decline);
  EXPECT_EQ(decline->requested, ip("10.77.0.100"));
  EXPECT_EQ(decline->server_id, ip("10.77.0.2"));
  EXPECT_EQ(c.state(), client_state::init);
  EXPECT_EQ(c.next_timer(), t0 + 10500ms);
  EXPECT_EQ(c.on_timer(c.next_timer(), timing).send->type, dhcp_message_type::discover);
}

TEST(dhcp_client, init_reboot_asks_for_the_remembered_address) {
  dhcp_client c{5};
  auto request = c.start(t0, timing, ip("10.77.0.150")).send;
  ASSERT_TRUE(request);
  EXPECT_EQ(c.state(), client_state::rebooting);
  EXPECT_EQ(request->type, dhcp_message_type::request);
  EXPECT_EQ(request->requested, ip("10.77.0.150"));
  EXPECT_FALSE(request->server_id); // §4.3.2: INIT-REBOOT names no server
  EXPECT_FALSE(request->unicast_to);
  auto probe = c.on_answer(answer(dhcp_message_type::ack, request->transaction_id, "10.77.0.150"), t0, timing).probe;
  EXPECT_EQ(probe, ip("10.77.0.150"));
  c.on_timer(t0 + 1s, timing);
  EXPECT_EQ(c.lease()->address, ip("10.77.0.150"));
  // Unanswered REQUESTs: after four, a DISCOVER.
  dhcp_client d{6};
  d.start(t0, timing, ip("10.77.0.150"));
  for (int i = 0; i < 3; ++i) EXPECT_EQ(d.on_timer(d.next_timer(), timing).send->type, dhcp_message_type::request);
  EXPECT_EQ(d.on_timer(d.next_timer(), timing).send->type, dhcp_message_type::discover);
}

TEST(dhcp_client, releases_what_it_holds_to_its_server) {
  auto c = bound_client();
  auto release = c.release().send;
  ASSERT_TRUE(release);
  EXPECT_EQ(release->type, dhcp_message_type::release);
  EXPECT_EQ(release->client_address, ip("10.77.0.100"));
  EXPECT_EQ(release->server_id, ip("10.77.0.2"));
  EXPECT_EQ(release->unicast_to, ip("10.77.0.2"));
  EXPECT_EQ(c.state(), client_state::released);
  EXPECT_FALSE(c.release().send); // nothing left
}

TEST(dhcp_client, ignores_answers_to_other_transactions_and_offers_without_a_server) {
  dhcp_client c{8};
  auto xid = c.start(t0, timing).send->transaction_id;
  EXPECT_FALSE(c.on_answer(answer(dhcp_message_type::offer, xid + 1), t0, timing).send);
  auto anonymous = answer(dhcp_message_type::offer, xid);
  anonymous.server_id.reset();
  EXPECT_FALSE(c.on_answer(anonymous, t0, timing).send);
  EXPECT_EQ(c.state(), client_state::selecting);
}

TEST(dhcp_client, is_small_enough_for_a_hundred_thousand_hosts) {
  EXPECT_LE(sizeof(dhcp_client), 128u);
}
