#include "supervision/restart_intensity.hpp"

#include <gtest/gtest.h>

using namespace etherbeam::supervision;
using namespace std::chrono_literals;

TEST(restart_window, admits_up_to_max_restarts_within_the_period) {
  restart_window w{{3, 1000ms}};
  auto t = restart_window::clock::time_point{};
  EXPECT_TRUE(w.admit(t));
  EXPECT_TRUE(w.admit(t + 100ms));
  EXPECT_TRUE(w.admit(t + 200ms));
  EXPECT_FALSE(w.admit(t + 300ms));
}

TEST(restart_window, forgets_restarts_older_than_the_period) {
  restart_window w{{2, 1000ms}};
  auto t = restart_window::clock::time_point{};
  EXPECT_TRUE(w.admit(t));
  EXPECT_TRUE(w.admit(t + 500ms));
  EXPECT_TRUE(w.admit(t + 1000ms)); // the first one has aged out
  EXPECT_EQ(w.recent(), 2u);
}

TEST(restart_window, with_zero_intensity_gives_up_at_the_first_failure) {
  restart_window w{{0, 1000ms}};
  EXPECT_FALSE(w.admit(restart_window::clock::now()));
}
