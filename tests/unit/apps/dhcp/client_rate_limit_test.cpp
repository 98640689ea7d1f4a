#include "apps/dhcp/client_rate_limit.hpp"

#include <gtest/gtest.h>

using namespace etherbeam::apps::dhcp;
using namespace std::chrono_literals;

namespace {

const client_key alice{1, 2, 0, 0, 0, 0, 1}, bob{1, 2, 0, 0, 0, 0, 2};
const client_rate_limit::clock::time_point t0{};

TEST(ClientRateLimit, IsOffByDefault) {
  client_rate_limit off(0);
  for (int i = 0; i < 1000; ++i) EXPECT_EQ(off.check(alice, t0), client_rate_limit::verdict::allowed);
  EXPECT_EQ(off.clients(), 0u);
}

TEST(ClientRateLimit, LetsABurstThroughThenTheRateAndSaysEachEpisodeOnce) {
  client_rate_limit limit(3);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(limit.check(alice, t0), client_rate_limit::verdict::allowed);
  EXPECT_EQ(limit.check(alice, t0), client_rate_limit::verdict::limited_first_of_episode);
  EXPECT_EQ(limit.check(alice, t0), client_rate_limit::verdict::limited) << "said once";
  EXPECT_EQ(limit.check(bob, t0), client_rate_limit::verdict::allowed) << "one client's excess is its own";
  EXPECT_EQ(limit.check(alice, t0 + 400ms), client_rate_limit::verdict::allowed) << "a token back after 1/3 s";
  EXPECT_EQ(limit.check(alice, t0 + 400ms), client_rate_limit::verdict::limited);
  // A minute within its rate ends the episode: the next one is said again.
  EXPECT_EQ(limit.check(alice, t0 + 61s), client_rate_limit::verdict::allowed);
  for (int i = 0; i < 2; ++i) EXPECT_EQ(limit.check(alice, t0 + 61s), client_rate_limit::verdict::allowed);
  EXPECT_EQ(limit.check(alice, t0 + 61s), client_rate_limit::verdict::limited_first_of_episode);
}

TEST(ClientRateLimit, RemembersABoundedNumberOfClients) {
  client_rate_limit limit(1);
  for (std::size_t i = 0; i < client_rate_limit::remembered + 10; ++i) {
    client_key k{1, static_cast<std::uint8_t>(i >> 16), static_cast<std::uint8_t>(i >> 8), static_cast<std::uint8_t>(i)};
    limit.check(k, t0);
  }
  EXPECT_LE(limit.clients(), client_rate_limit::remembered);
  limit.check(alice, t0 + 2s); // the idle are forgotten to make room
  EXPECT_LT(limit.clients(), 100u);
}

} // namespace
