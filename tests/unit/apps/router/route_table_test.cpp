#include "apps/router/route_table.hpp"

#include <gtest/gtest.h>
#include "tests/unit/test_values.hpp"

using namespace etherbeam::apps::router;
using namespace etherbeam::protocols;

namespace {

using etherbeam::testing::ip;
ipv4_interface owned(const char* text) { return *ipv4_interface::from_string(text); }

static_route parsed(const char* text) {
  std::string why;
  auto r = parse_static_route(text, why);
  EXPECT_TRUE(r) << text << ": " << why;
  return r.value_or(static_route{});
}

// Two links, as in the router lab: a = 10.77.0.2/24, b = 10.88.0.2/24.
std::vector<std::vector<ipv4_interface>> two_links() { return {{owned("10.77.0.2/24")}, {owned("10.88.0.2/24")}}; }

} // namespace

TEST(RouteTable, ConnectedRoutesComeFromTheLinksAddresses) {
  route_table routes(two_links(), {});
  auto a = routes.lookup(ip("10.77.0.9"));
  ASSERT_TRUE(a);
  EXPECT_EQ(a->link, 0u);
  EXPECT_EQ(a->address, ip("10.77.0.9")) << "on a connected route the destination is the next hop";
  EXPECT_EQ(routes.lookup(ip("10.88.0.1"))->link, 1u);
  EXPECT_FALSE(routes.lookup(ip("192.0.2.1"))) << "no default: no route";
}

TEST(RouteTable, LongestPrefixWinsAndTheDefaultCatchesTheRest) {
  route_table routes(two_links(), {parsed("default via 10.88.0.254"), parsed("10.99.0.0/16 via 10.77.0.5"),
                                   parsed("10.99.7.0/24 via 10.88.0.7")});
  EXPECT_EQ(routes.lookup(ip("10.99.1.1"))->address, ip("10.77.0.5"));
  EXPECT_EQ(routes.lookup(ip("10.99.1.1"))->link, 0u);
  EXPECT_EQ(routes.lookup(ip("10.99.7.1"))->address, ip("10.88.0.7"));
  EXPECT_EQ(routes.lookup(ip("198.51.100.1"))->address, ip("10.88.0.254"));
  EXPECT_EQ(routes.lookup(ip("10.77.0.1"))->address, ip("10.77.0.1")) << "connected beats the default";
}

TEST(RouteTable, ParsesWhatUsersWriteAndSaysWhatIsWrong) {
  auto r = parsed("10.99.3.4/16  via  10.77.0.5");
  EXPECT_EQ(r.network, ip("10.99.0.0")) << "masked to its prefix";
  EXPECT_EQ(r.prefix_length, 16);
  EXPECT_EQ(parsed("default via 10.77.0.1").prefix_length, 0);
  std::string why;
  EXPECT_FALSE(parse_static_route("10.99.0.0/16 10.77.0.5", why));
  EXPECT_NE(why.find("PREFIX via GATEWAY"), std::string::npos);
  EXPECT_FALSE(parse_static_route("10.99.0.0/33 via 10.77.0.5", why));
  EXPECT_NE(why.find("10.99.0.0/33"), std::string::npos);
  EXPECT_FALSE(parse_static_route("default via gateway", why));
  EXPECT_NE(why.find("\"gateway\""), std::string::npos);
}

TEST(RouteTable, RefusesAGatewayNoLinkReaches) {
  try {
    route_table routes(two_links(), {parsed("default via 192.0.2.1")});
    FAIL() << "accepted a gateway on no link";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("default via 192.0.2.1"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("on no link's subnet"), std::string::npos) << e.what();
  }
  EXPECT_THROW(route_table(two_links(), {parsed("default via 10.77.0.2")}), std::invalid_argument)
    << "our own address is no gateway";
}

TEST(RouteTable, SaysEachRouteAsIpRouteWould) {
  route_table routes(two_links(), {parsed("default via 10.88.0.254")});
  std::vector<std::string> names{"a", "b"};
  ASSERT_EQ(routes.routes().size(), 3u);
  EXPECT_EQ(routes.routes()[0].to_string(names), "10.77.0.0/24 dev a");
  EXPECT_EQ(routes.routes()[2].to_string(names), "default via 10.88.0.254 dev b");
}
