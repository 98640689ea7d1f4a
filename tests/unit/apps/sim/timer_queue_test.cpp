// The hosts' timer queue: due timers come out in time order, later ones stay.
#include "apps/sim/timer_queue.hpp"

#include <gtest/gtest.h>

using namespace etherbeam::apps::sim;
using namespace std::chrono_literals;

namespace {
const sim_clock::time_point queue_epoch{};
}

TEST(timer_queue, gives_the_due_timers_earliest_first_and_keeps_the_rest) {
  timer_queue q;
  q.arm({queue_epoch + 30ms, 3, timer_kind::dhcp});
  q.arm({queue_epoch + 10ms, 1, timer_kind::start});
  q.arm({queue_epoch + 20ms, 2, timer_kind::dhcp});
  q.arm({queue_epoch + 50ms, 5, timer_kind::dhcp});
  EXPECT_EQ(q.next_due(), queue_epoch + 10ms);

  auto due = q.take_due(queue_epoch + 30ms);
  ASSERT_EQ(due.size(), 3u);
  EXPECT_EQ(due[0].host, 1u);
  EXPECT_EQ(due[0].kind, timer_kind::start);
  EXPECT_EQ(due[1].host, 2u);
  EXPECT_EQ(due[2].host, 3u);
  EXPECT_EQ(q.size(), 1u);
  EXPECT_EQ(q.next_due(), queue_epoch + 50ms);
  EXPECT_TRUE(q.take_due(queue_epoch + 49ms).empty());
}

TEST(timer_queue, keeps_a_hosts_earlier_timer_when_it_arms_again) {
  timer_queue q;
  q.arm({queue_epoch + 4s, 7, timer_kind::dhcp});
  q.arm({queue_epoch + 1s, 7, timer_kind::dhcp}); // re-armed: both fire, the host tells which is current
  auto due = q.take_due(queue_epoch + 5s);
  ASSERT_EQ(due.size(), 2u);
  EXPECT_EQ(due[0].due, queue_epoch + 1s);
  EXPECT_EQ(due[1].due, queue_epoch + 4s);
  EXPECT_FALSE(q.next_due());
}
