// netem-like impairment: over many frames, the shares asked for.
#include "apps/sim/impairment.hpp"

#include <gtest/gtest.h>

using namespace etherbeam::apps::sim;
using namespace std::chrono_literals;

TEST(impairment, loses_and_duplicates_the_share_asked_for) {
  impairment link;
  link.loss_percent = 20;
  link.duplicate_percent = 10;
  std::uint64_t random = 1;
  int lost = 0, doubled = 0;
  constexpr int frames = 100'000;
  for (int i = 0; i < frames; ++i) {
    auto p = plan_frame(link, random);
    lost += p.copies == 0;
    doubled += p.copies == 2;
  }
  EXPECT_NEAR(lost, frames * 0.20, frames * 0.01);
  EXPECT_NEAR(doubled, frames * 0.80 * 0.10, frames * 0.01); // of the frames not lost
}

TEST(impairment, delays_within_the_jitter_and_holds_back_the_reordered) {
  impairment link;
  link.delay = 50ms;
  link.jitter = 10ms;
  link.reorder_percent = 25;
  std::uint64_t random = 7;
  int held = 0;
  for (int i = 0; i < 10'000; ++i) {
    auto p = plan_frame(link, random);
    ASSERT_EQ(p.copies, 1);
    if (p.after[0] > 60ms) {
      ++held;
      EXPECT_GE(p.after[0], 100ms);
    } else {
      EXPECT_GE(p.after[0], 40ms);
    }
  }
  EXPECT_NEAR(held, 2500, 300);
}

TEST(impairment, a_clean_link_changes_nothing) {
  std::uint64_t random = 3;
  auto p = plan_frame(impairment{}, random);
  EXPECT_EQ(p.copies, 1);
  EXPECT_EQ(p.after[0], 0ms);
  EXPECT_FALSE(impairment{}.any());
}
