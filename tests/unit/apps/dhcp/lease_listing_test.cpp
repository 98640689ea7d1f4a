#include "apps/dhcp/lease_listing.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include "tests/unit/test_values.hpp"

using namespace etherbeam::apps::dhcp;
using namespace etherbeam::protocols;

namespace {

using etherbeam::testing::now;

lease_table one_lease_named(std::string host_name) {
  mac_address mac{{0x02, 0, 0, 0, 0, 1}};
  lease_table t;
  t.put(lease{*ipv4_address::from_string("10.77.0.100"), client_key_of(mac), mac, std::move(host_name), now + 60,
              lease_state::bound});
  return t;
}

} // namespace

// Host names are what clients say (issue 9, finding 10).
TEST(LeaseListing, a_host_name_that_is_not_utf8_still_gives_valid_json) {
  auto json = nlohmann::json::parse(render_leases(one_lease_named("pc\xff\xfe"), now, {.json = true}));
  ASSERT_EQ(json.size(), 1u);
  EXPECT_EQ(json[0]["host_name"], "pc\\xff\\xfe");
  EXPECT_EQ(json[0]["host_name_hex"], "7063fffe");
}

TEST(LeaseListing, control_characters_cannot_forge_rows_or_reach_the_terminal) {
  auto table = render_leases(one_lease_named("a\n10.0.0.1 evil\x1b[2J"), now, {});
  EXPECT_EQ(table.find('\x1b'), std::string::npos);
  // Header, one row, the count: a newline in the name made no row of its own.
  EXPECT_EQ(std::count(table.begin(), table.end(), '\n'), 3);
  EXPECT_NE(table.find("a\\x0a10.0.0.1"), std::string::npos);
}
