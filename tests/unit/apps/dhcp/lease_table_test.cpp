#include "apps/dhcp/lease_table.hpp"

#include <gtest/gtest.h>
#include "tests/unit/test_values.hpp"

using namespace etherbeam::apps::dhcp;
using namespace etherbeam::protocols;

namespace {
using etherbeam::testing::ip;

lease at(const char* address, std::uint8_t client) {
  mac_address mac{{2, 0, 0, 0, 0, client}};
  return lease{ip(address), client_key_of(mac), mac, "", 100, lease_state::bound};
}

const auto anything = [](ipv4_address) { return true; };
} // namespace

TEST(lease_table, indexes_leases_by_address_and_by_client) {
  lease_table t;
  t.put(at("10.0.0.10", 1));
  t.put(at("10.0.0.11", 2));
  EXPECT_EQ(t.by_client(client_key_of(mac_address{{2, 0, 0, 0, 0, 2}}))->address, ip("10.0.0.11"));
  // Client 1 moves to another address: its old one is no longer its.
  t.put(at("10.0.0.12", 1));
  EXPECT_EQ(t.by_client(at("10.0.0.12", 1).client)->address, ip("10.0.0.12"));
  // Another client takes over .10: client 1 keeps .12.
  t.put(at("10.0.0.10", 3));
  EXPECT_EQ(t.by_client(at("10.0.0.10", 1).client)->address, ip("10.0.0.12"));
  t.erase(ip("10.0.0.12"));
  EXPECT_EQ(t.by_client(at("10.0.0.10", 1).client), nullptr);
  EXPECT_TRUE(t.taken(ip("10.0.0.10"), 99));
  EXPECT_FALSE(t.taken(ip("10.0.0.10"), 100)) << "expired";
}

TEST(lease_table, first_unrecorded_walks_a_pool_once_and_skips_unusable_addresses) {
  lease_table t;
  address_range pool{ip("10.0.0.1"), ip("10.0.0.5")};
  auto not_3 = [](ipv4_address a) { return a != ip("10.0.0.3"); };
  EXPECT_EQ(t.first_unrecorded(pool, not_3), ip("10.0.0.1"));
  EXPECT_EQ(t.first_unrecorded(pool, not_3), ip("10.0.0.1")) << "not recorded yet: still the first";
  t.put(at("10.0.0.1", 1));
  t.put(at("10.0.0.2", 2));
  EXPECT_EQ(t.first_unrecorded(pool, not_3), ip("10.0.0.4"));
  t.put(at("10.0.0.4", 4));
  t.put(at("10.0.0.5", 5));
  EXPECT_FALSE(t.first_unrecorded(pool, not_3));
  // An erased record makes its address unrecorded again, below the hint.
  t.erase(ip("10.0.0.2"));
  EXPECT_EQ(t.first_unrecorded(pool, anything), ip("10.0.0.2"));
}

TEST(lease_table, first_unrecorded_handles_a_pool_ending_at_the_top_of_the_address_space) {
  lease_table t;
  address_range pool{ip("255.255.255.254"), ip("255.255.255.255")};
  t.put(at("255.255.255.254", 1));
  t.put(at("255.255.255.255", 2));
  EXPECT_FALSE(t.first_unrecorded(pool, anything));
  EXPECT_FALSE(t.first_unrecorded(pool, anything));
}
