// The simulated hosts' stage with captured lab frames: each frame for a host
// reaches that host (by MAC, by ARP target, by a DHCP answer's chaddr), and
// every other frame goes on to etherbeam's own applications.
#include "apps/sim/sim_stage.hpp"

#include <gtest/gtest.h>

#include "actors/dispatcher.hpp"
#include "tests/unit/frame_bytes.hpp"
#include "tests/unit/test_values.hpp"

using namespace etherbeam;
using namespace etherbeam::apps::sim;
using namespace etherbeam::test_frames;

namespace {

using etherbeam::testing::mac;

struct sim_stage_test : ::testing::Test {
  actors::counter_registry counters;
  std::shared_ptr<host_directory> hosts = std::make_shared<host_directory>();
  std::vector<host_index> handed;
  std::unique_ptr<actors::dispatcher> dispatch;
  actors::stack_identity etherbeam; // etherbeam itself: another MAC and address on the lab link

  void SetUp() override {
    // The captures' 10.77.0.2 (ce:89:d7:ed:bc:38) becomes simulated host 0.
    ASSERT_TRUE(hosts->add(0, mac("ce:89:d7:ed:bc:38")));
    hosts->set_address(0, *protocols::ipv4_address::from_string("10.77.0.2"));
    auto stage = std::make_shared<sim_stage>(hosts, counters, [this](host_index h, protocols::byte_view, auto*) {
      handed.push_back(h);
      return true;
    });
    dispatch = std::make_unique<actors::dispatcher>(std::vector<actors::registration>{{"sim", actors::frame_match::every(), stage}},
                                                    counters);
    etherbeam.mac = mac("02:00:00:00:00:01");
    etherbeam.addresses.push_back(*protocols::ipv4_interface::from_string("10.77.0.9/24"));
  }

  actors::verdict decide(const std::vector<std::uint8_t>& frame) {
    std::vector<std::uint8_t> reply(std::max(frame.size(), actors::min_reply_room));
    return dispatch->decide(frame, etherbeam, reply);
  }
};

} // namespace

TEST_F(sim_stage_test, a_frame_to_a_hosts_mac_reaches_that_host) {
  EXPECT_EQ(decide(copy_of(test_frames::echo_request)).outcome, actors::verdict::kind::handed_off);
  EXPECT_EQ(handed, std::vector<host_index>{0});
}

TEST_F(sim_stage_test, an_arp_request_for_a_hosts_address_reaches_that_host) {
  EXPECT_EQ(decide(copy_of(test_frames::arp_request)).outcome, actors::verdict::kind::handed_off);
  EXPECT_EQ(handed, std::vector<host_index>{0});
  // The address given up: the request is no host's any more.
  hosts->set_address(0, std::nullopt);
  handed.clear();
  EXPECT_NE(decide(copy_of(test_frames::arp_request)).outcome, actors::verdict::kind::handed_off);
  EXPECT_TRUE(handed.empty());
}

TEST_F(sim_stage_test, a_broadcast_dhcp_answer_reaches_the_host_it_names) {
  auto offer = copy_of(test_frames::dnsmasq_offer_to_dhclient);
  auto client = protocols::mac_address::read(offer, 0); // dnsmasq sent it to the client's MAC
  auto host = *hosts->add(0, client);
  std::fill(offer.begin(), offer.begin() + 6, 0xff); // as a server answers a client that asked for broadcast
  EXPECT_EQ(decide(offer).outcome, actors::verdict::kind::handed_off);
  EXPECT_EQ(handed, std::vector<host_index>(1, host));
}

TEST_F(sim_stage_test, frames_for_nobody_simulated_go_on) {
  auto request = copy_of(test_frames::echo_request);
  etherbeam.mac->write(request, 0); // to etherbeam's own MAC
  EXPECT_NE(decide(request).outcome, actors::verdict::kind::handed_off);
  EXPECT_NE(decide(copy_of(test_frames::kernel_arp_request)).outcome, actors::verdict::kind::handed_off); // 10.77.0.3
  EXPECT_TRUE(handed.empty());
}

TEST(host_directory, finds_hosts_by_mac_and_address_per_link_and_refuses_a_mac_twice) {
  host_directory d;
  auto a = *d.add(0, mac("02:5e:00:00:00:01"));
  auto b = *d.add(1, mac("02:5e:00:00:00:01")); // the same MAC on another link is another host
  EXPECT_NE(a, b);
  EXPECT_FALSE(d.add(0, mac("02:5e:00:00:00:01")));
  auto address = *protocols::ipv4_address::from_string("10.77.0.10");
  d.set_address(a, address);
  EXPECT_EQ(d.by_address(0, address), a);
  EXPECT_FALSE(d.by_address(1, address));
  EXPECT_EQ(d.by_mac(1, mac("02:5e:00:00:00:01")), b);
  EXPECT_EQ(d.size(), 2u);
}
