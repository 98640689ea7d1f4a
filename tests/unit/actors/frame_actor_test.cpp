#include "actors/frame_actor.hpp"

#include <gtest/gtest.h>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "tests/unit/frame_bytes.hpp"

using namespace etherbeam::actors;
using namespace etherbeam::protocols;
using namespace std::chrono_literals;

namespace {

// Stands in for the real sender: forwards every reply to the test.
sender_actor::behavior_type forwarding_sender(sender_actor::pointer, caf::actor test) {
  return {
    [test](send_frame_atom, const frame& f) { caf::anon_send(test, f.size()); },
    [](flush_atom) {},
    [](inject_fault_atom) {},
  };
}

// Fails on frames that start with 0xee, answers the rest as usual.
verdict fails_on_poison(byte_view frame, const stack_identity& me, byte_buffer reply, dhcp_inbound* dhcp) {
  if (!frame.empty() && frame[0] == 0xee) throw std::runtime_error("poison frame");
  return respond(frame, me, reply, dhcp);
}

// The lab's identity, replies forwarded to `test`, and a handler that fails on poison.
frame_context lab_context(caf::actor_system& system, caf::scoped_actor& test) {
  auto me = std::make_shared<stack_identity>();
  me->addresses.push_back(*ipv4_interface::from_string("10.77.0.2/24"));
  me->mac = mac_address::from_string("ce:89:d7:ed:bc:38");
  frame_context context;
  context.identity = me;
  context.counters = std::make_shared<stack_counters>();
  context.sender = system.spawn(forwarding_sender, caf::actor{test});
  context.handler = fails_on_poison;
  return context;
}

} // namespace

TEST(frame_actor, a_frame_that_throws_kills_only_its_own_actor_and_is_counted) {
  caf::actor_system_config cfg;
  caf::actor_system system{cfg};
  caf::scoped_actor test{system};

  auto context = lab_context(system, test);
  auto counters = context.counters;
  counters->frames_in_flight = 3; // as ingress counts them in

  std::vector<std::uint8_t> poison_bytes(64, 0xee);
  frame poison{std::span<const std::uint8_t>(poison_bytes)};
  auto good = etherbeam::test_frames::copy_of(etherbeam::test_frames::echo_request);
  auto before = spawn_frame_actor(system, frame{std::span<const std::uint8_t>(good)}, context);
  auto bad = spawn_frame_actor(system, poison, context);
  auto after = spawn_frame_actor(system, frame{std::span<const std::uint8_t>(good)}, context);

  for (auto& [who, expected] : {std::pair{before, caf::error{}}, std::pair{bad, caf::error{caf::sec::runtime_error}},
                                std::pair{after, caf::error{}}}) {
    test->monitor(who);
    caf::error reason = caf::sec::request_timeout;
    test->receive([&](const caf::down_msg& d) { reason = d.reason; }, caf::after(5s) >> [] {});
    EXPECT_EQ(reason, expected);
  }
  int replies = 0;
  for (int i = 0; i < 2; ++i)
    test->receive([&](std::size_t len) { replies += len == good.size(); }, caf::after(5s) >> [] {});
  EXPECT_EQ(replies, 2);
  EXPECT_EQ(counters->frame_actor_failures.load(), 1u);
  EXPECT_EQ(counters->replies[std::size_t(reply_kind::icmp_echo_reply)].load(), 2u);
  EXPECT_EQ(counters->frames_in_flight.load(), 0) << "a failed frame actor must leave the flight too";
}

TEST(frame_actor, a_pool_worker_outlives_a_frame_that_throws_and_counts_it) {
  caf::actor_system_config cfg;
  caf::actor_system system{cfg};
  caf::scoped_actor test{system};
  auto context = lab_context(system, test);
  auto counters = context.counters;
  counters->frames_in_flight = 3;

  auto worker = spawn_frame_worker(system, counters);
  test->monitor(worker);
  auto good = etherbeam::test_frames::copy_of(etherbeam::test_frames::echo_request);
  std::vector<std::uint8_t> poison_bytes(64, 0xee);
  test->send(worker, decide_frame_atom::value, frame{std::span<const std::uint8_t>(good)}, context);
  test->send(worker, decide_frame_atom::value, frame{std::span<const std::uint8_t>(poison_bytes)}, context);
  test->send(worker, decide_frame_atom::value, frame{std::span<const std::uint8_t>(good)}, context);
  int replies = 0;
  for (int i = 0; i < 2; ++i)
    test->receive([&](std::size_t len) { replies += len == good.size(); },
                  [&](const caf::down_msg&) { ADD_FAILURE() << "the worker died"; }, caf::after(5s) >> [] {});
  EXPECT_EQ(replies, 2);
  EXPECT_EQ(counters->frame_actor_failures.load(), 1u);
  EXPECT_EQ(counters->frames_in_flight.load(), 0);
  caf::anon_send_exit(worker, caf::exit_reason::user_shutdown);
}

TEST(frame_actor, inline_decisions_count_a_throw_and_go_on) {
  caf::actor_system_config cfg;
  caf::actor_system system{cfg};
  caf::scoped_actor test{system};
  auto context = lab_context(system, test);
  auto counters = context.counters;
  counters->frames_in_flight = 2;
  std::vector<std::uint8_t> poison(64, 0xee);
  decide_frame(poison, context);
  auto good = etherbeam::test_frames::copy_of(etherbeam::test_frames::echo_request);
  decide_frame(good, context);
  std::size_t got = 0;
  test->receive([&](std::size_t len) { got = len; }, caf::after(5s) >> [] {});
  EXPECT_EQ(got, good.size());
  EXPECT_EQ(counters->frame_actor_failures.load(), 1u);
  EXPECT_EQ(counters->frames_in_flight.load(), 0);
}
