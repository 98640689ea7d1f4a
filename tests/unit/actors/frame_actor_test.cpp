#include "actors/frame_actor.hpp"

#include <gtest/gtest.h>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include "actors/reply_batch.hpp"
#include "apps/host/host_responders.hpp"
#include "tests/unit/actors/binder_stand_in.hpp"
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
verdict fails_on_poison(const dispatcher& dispatch, byte_view frame, const stack_identity& me, byte_buffer reply,
                        caf::execution_unit* here, link_index link) {
  if (!frame.empty() && frame[0] == 0xee) throw std::runtime_error("poison frame");
  return dispatch.decide(frame, me, reply, here, link);
}

// A real actor system, the lab's identity, replies forwarded to `test` as
// their length, a handler that fails on poison, and the frames to feed it.
class FrameDeciders : public testing::Test {
protected:
  FrameDeciders() {
    auto me = std::make_shared<stack_identity>();
    me->addresses.push_back(*ipv4_interface::from_string("10.77.0.2/24"));
    me->mac = mac_address::from_string("ce:89:d7:ed:bc:38");
    frame_context c;
    c.identity = me;
    c.counters = counters;
    c.sender = system.spawn(forwarding_sender, caf::actor{test});
    c.dispatch = std::make_shared<const dispatcher>(etherbeam::apps::host::host_registrations(counters->named),
                                                    counters->named);
    c.handler = fails_on_poison;
    context = std::make_shared<const frame_context>(std::move(c));
  }

  frame good_frame() const { return frame{std::span<const std::uint8_t>(good)}; }
  frame poison_frame() const { return frame{std::span<const std::uint8_t>(poison)}; }

  // How many replies of the echo request's length arrive (at most `n`).
  int echo_replies(int n) {
    int replies = 0;
    for (int i = 0; i < n; ++i)
      test->receive([&](std::size_t len) { replies += len == good.size(); },
                    [&](const caf::down_msg&) { ADD_FAILURE() << "a long-lived decider died"; },
                    caf::after(5s) >> [] {});
    return replies;
  }

  // Replies written by the decider itself (workers, inline) that reached the
  // binder, counted as echo_replies counts the sender's.
  int echo_replies_at_binder(std::size_t n) {
    int replies = 0;
    for (auto len : binder.lengths(n)) replies += len == good.size();
    return replies;
  }

  etherbeam::test_frames::binder_stand_in binder;
  caf::actor_system_config cfg;
  caf::actor_system system{cfg};
  caf::scoped_actor test{system};
  std::shared_ptr<stack_counters> counters = std::make_shared<stack_counters>();
  shared_frame_context context;
  std::vector<std::uint8_t> good = etherbeam::test_frames::copy_of(etherbeam::test_frames::echo_request);
  std::vector<std::uint8_t> poison = std::vector<std::uint8_t>(64, 0xee);
};

} // namespace

TEST_F(FrameDeciders, a_frame_that_throws_kills_only_its_own_actor_and_is_counted) {
  counters->frames_in_flight = 3; // as ingress counts them in
  auto before = spawn_frame_actor(system, good_frame(), context);
  auto bad = spawn_frame_actor(system, poison_frame(), context);
  auto after = spawn_frame_actor(system, good_frame(), context);

  for (auto& [who, expected] : {std::pair{before, caf::error{}}, std::pair{bad, caf::error{caf::sec::runtime_error}},
                                std::pair{after, caf::error{}}}) {
    test->monitor(who);
    caf::error reason = caf::sec::request_timeout;
    test->receive([&](const caf::down_msg& d) { reason = d.reason; }, caf::after(5s) >> [] {});
    EXPECT_EQ(reason, expected);
  }
  EXPECT_EQ(echo_replies(2), 2);
  EXPECT_EQ(counters->frame_actor_failures.load(), 1u);
  EXPECT_EQ(counters->named.value("reply.icmp_echo_reply"), 2u);
  EXPECT_EQ(counters->frames_in_flight.load(), 0) << "a failed frame actor must leave the flight too";
}

TEST_F(FrameDeciders, a_pool_worker_outlives_a_frame_that_throws_and_counts_it) {
  counters->frames_in_flight = 3;
  auto worker = spawn_frame_worker(system, std::make_shared<reply_batches>(0, binder.path(), counters, nullptr));
  test->monitor(worker);
  test->send(worker, decide_frame_atom::value, good_frame(), context);
  test->send(worker, decide_frame_atom::value, poison_frame(), context);
  test->send(worker, decide_frame_atom::value, good_frame(), context);
  EXPECT_EQ(echo_replies_at_binder(2), 2);
  test->receive([](const caf::down_msg&) { ADD_FAILURE() << "the worker died"; }, caf::after(0s) >> [] {});
  EXPECT_EQ(counters->frame_actor_failures.load(), 1u);
  EXPECT_EQ(counters->frames_in_flight.load(), 0);
  caf::anon_send_exit(worker, caf::exit_reason::user_shutdown);
}

TEST_F(FrameDeciders, inline_decisions_count_a_throw_and_go_on) {
  counters->frames_in_flight = 2;
  reply_batches own{0, binder.path(), counters, nullptr};
  decide_frame(poison, *context, nullptr, &own);
  decide_frame(good, *context, nullptr, &own);
  EXPECT_FALSE(own.empty()) << "an inline reply waits for the end of its batch";
  own.flush();
  EXPECT_EQ(echo_replies_at_binder(1), 1);
  EXPECT_EQ(counters->replies_sent.load(), 1u);
  EXPECT_EQ(counters->frame_actor_failures.load(), 1u);
  EXPECT_EQ(counters->frames_in_flight.load(), 0);
}
