#include "apps/bridge/mac_table.hpp"

#include <gtest/gtest.h>
#include "tests/unit/test_values.hpp"

using namespace etherbeam::apps::bridge;
using etherbeam::protocols::mac_address;
using namespace std::chrono_literals;

namespace {
using etherbeam::testing::mac;
const auto start = clock::time_point{} + 1h;
} // namespace

TEST(mac_table, learns_where_a_mac_was_seen_and_forgets_it_after_300_s) {
  mac_table t{{}};
  EXPECT_EQ(t.learn(mac("1e:58:23:16:e0:6f"), 2, start), mac_table::learned::added);
  EXPECT_EQ(t.lookup(mac("1e:58:23:16:e0:6f"), start + 299s), 2u);
  EXPECT_FALSE(t.lookup(mac("1e:58:23:16:e0:6f"), start + 301s));
  EXPECT_EQ(t.size(), 0u);
  EXPECT_FALSE(t.lookup(mac("02:00:00:00:00:01"), start));
}

TEST(mac_table, a_mac_seen_on_another_link_moves_there) {
  mac_table t{{}};
  t.learn(mac("1e:58:23:16:e0:6f"), 0, start);
  EXPECT_EQ(t.learn(mac("1e:58:23:16:e0:6f"), 0, start + 1s), mac_table::learned::refreshed);
  EXPECT_EQ(t.learn(mac("1e:58:23:16:e0:6f"), 2, start + 2s), mac_table::learned::moved);
  EXPECT_EQ(t.lookup(mac("1e:58:23:16:e0:6f"), start + 2s), 2u);
}

TEST(mac_table, a_full_table_learns_nothing_new_until_entries_age_out) {
  mac_table t{{.max_entries = 2, .ageing = 300s}};
  t.learn(mac("02:00:00:00:00:01"), 0, start);
  t.learn(mac("02:00:00:00:00:02"), 1, start);
  EXPECT_EQ(t.learn(mac("02:00:00:00:00:03"), 1, start + 1s), mac_table::learned::table_full);
  EXPECT_FALSE(t.lookup(mac("02:00:00:00:00:03"), start + 1s));
  EXPECT_EQ(t.lookup(mac("02:00:00:00:00:01"), start + 1s), 0u); // the known ones stay
  EXPECT_EQ(t.learn(mac("02:00:00:00:00:03"), 1, start + 302s), mac_table::learned::added);
  EXPECT_EQ(t.size(), 1u);
}
