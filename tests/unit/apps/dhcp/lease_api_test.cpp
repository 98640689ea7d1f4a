#include "apps/dhcp/lease_api.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include "tests/unit/test_values.hpp"

using namespace etherbeam::apps::dhcp;
using namespace etherbeam::protocols;
using json = nlohmann::json;

namespace {

using etherbeam::testing::now;

using etherbeam::testing::ip;
using etherbeam::testing::mac;

struct LeaseApi : ::testing::Test {
  dhcp_settings settings;
  lease_table table;
  std::vector<ipv4_interface> own{*ipv4_interface::from_string("10.77.0.2/24")};

  LeaseApi() {
    dhcp_subnet s;
    s.network = *ipv4_interface::from_string("10.77.0.0/24");
    s.pools = {{ip("10.77.0.100"), ip("10.77.0.199")}};
    s.lease_time = 600;
    settings.subnets.push_back(s);
    table.put({ip("10.77.0.100"), client_key_of(mac("02:00:00:00:00:01")), mac("02:00:00:00:00:01"), "alpha",
               now + 300, lease_state::bound});
    table.put({ip("10.77.0.101"), {0xff, 1, 2}, mac("02:00:00:00:00:02"), "", now + 300, lease_state::bound});
    table.put({ip("10.77.0.102"), client_key_of(mac("02:00:00:00:00:03")), mac("02:00:00:00:00:03"), "",
               now + 30, lease_state::offered});
  }
  lease_api_answer call(std::string_view command, const json& args) {
    return lease_api(command, args.dump(), table, settings, own, now);
  }
  static json reply(const lease_api_answer& a) { return json::parse(a.reply); }
};

TEST_F(LeaseApi, GetsALeaseByAddressMacOrClientIdAsKeaNamesThem) {
  auto by_ip = reply(call("lease4-get", {{"ip-address", "10.77.0.100"}}));
  EXPECT_EQ(by_ip["result"], 0);
  EXPECT_EQ(by_ip["arguments"]["hw-address"], "02:00:00:00:00:01");
  EXPECT_EQ(by_ip["arguments"]["valid-lft"], 300);
  EXPECT_EQ(by_ip["arguments"]["subnet"], "10.77.0.0/24");
  EXPECT_EQ(reply(call("lease4-get", {{"hw-address", "02:00:00:00:00:02"}}))["arguments"]["ip-address"], "10.77.0.101");
  EXPECT_EQ(reply(call("lease4-get", {{"identifier-type", "client-id"}, {"identifier", "ff:01:02"}}))["arguments"]
                 ["ip-address"],
            "10.77.0.101");
  EXPECT_EQ(reply(call("lease4-get", {{"ip-address", "10.77.0.102"}}))["result"], 3) << "an offer is no lease";
  EXPECT_EQ(reply(call("lease4-get", {{"ip-address", "nonsense"}}))["result"], 1);
  EXPECT_EQ(reply(lease_api("lease4-get", "{not json", table, settings, own, now))["result"], 1);
}

TEST_F(LeaseApi, PagesThroughLeasesByAddress) {
  auto first = reply(call("lease4-get-page", {{"from", "start"}, {"limit", 1}}));
  ASSERT_EQ(first["arguments"]["count"], 1);
  EXPECT_EQ(first["arguments"]["leases"][0]["ip-address"], "10.77.0.100");
  auto next = reply(call("lease4-get-page", {{"from", "10.77.0.100"}, {"limit", 5}}));
  EXPECT_EQ(next["arguments"]["leases"][0]["ip-address"], "10.77.0.101");
  EXPECT_EQ(reply(call("lease4-get-page", {{"from", "10.77.0.101"}, {"limit", 5}}))["result"], 3);
  EXPECT_EQ(reply(call("lease4-get-page", {{"from", "start"}}))["result"], 1) << "limit is required";
}

TEST_F(LeaseApi, AddsALeaseAsAnAckWouldAndRefusesWhatAnAckWouldNot) {
  auto added = call("lease4-add", {{"ip-address", "10.77.0.150"}, {"hw-address", "02:00:00:00:00:09"}});
  EXPECT_EQ(reply(added)["result"], 0);
  ASSERT_EQ(added.changes.size(), 1u);
  EXPECT_EQ(added.changes[0].state, lease_state::bound);
  EXPECT_EQ(added.changes[0].expires, now + 600) << "the subnet's lease time";
  EXPECT_EQ(added.event, lease_event::acked);
  EXPECT_EQ(reply(call("lease4-add", {{"ip-address", "10.77.0.100"}, {"hw-address", "02:00:00:00:00:09"}}))["result"],
            1) << "held by another client";
  EXPECT_EQ(reply(call("lease4-add", {{"ip-address", "10.77.0.2"}, {"hw-address", "02:00:00:00:00:09"}}))["result"], 1)
    << "our own address";
  EXPECT_EQ(reply(call("lease4-add", {{"ip-address", "10.9.9.9"}, {"hw-address", "02:00:00:00:00:09"}}))["result"], 1);
  EXPECT_TRUE(call("lease4-add", {{"ip-address", "10.77.0.9"}}).changes.empty()) << "hw-address is required";
}

TEST_F(LeaseApi, DeletesOneLeaseOrWipesASubnet) {
  auto deleted = call("lease4-del", {{"ip-address", "10.77.0.100"}});
  ASSERT_EQ(deleted.changes.size(), 1u);
  EXPECT_EQ(deleted.changes[0].state, lease_state::released);
  EXPECT_EQ(deleted.event, lease_event::deleted);
  EXPECT_EQ(reply(call("lease4-del", {{"ip-address", "10.77.0.150"}}))["result"], 3);
  auto wiped = call("lease4-wipe", {{"subnet", "10.77.0.0/24"}});
  EXPECT_EQ(wiped.changes.size(), 2u) << "both leases, not the offer";
  EXPECT_EQ(reply(call("lease4-wipe", {{"subnet", "10.88.0.0/24"}}))["result"], 1);
}

TEST(LeaseEvents, SayWhatAChangeMeans) {
  lease bound{ip("10.77.0.100"), {1}, {}, "", now + 60, lease_state::bound};
  auto renewed = bound;
  renewed.expires += 600;
  auto released = bound;
  released.state = lease_state::released;
  auto offered = bound;
  offered.state = lease_state::offered;
  EXPECT_EQ(event_of(nullptr, bound), lease_event::acked);
  EXPECT_EQ(event_of(&offered, bound), lease_event::acked);
  EXPECT_EQ(event_of(&bound, renewed), lease_event::renewed);
  EXPECT_EQ(event_of(&bound, released), lease_event::released);
  EXPECT_EQ(event_of(nullptr, offered), std::nullopt);
  auto line = json::parse(watch_line(lease_event::renewed, renewed, now));
  EXPECT_EQ(line["event"], "renewed");
  EXPECT_EQ(line["ip-address"], "10.77.0.100");
}

} // namespace
