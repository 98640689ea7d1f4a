// etherbeam replay on the lab captures in tests/data: the real applications,
// the real frame path, no network.
#include "server/replay.hpp"

#include <gtest/gtest.h>
#include <pcap/pcap.h>
#include <stdlib.h>

#include <fstream>
#include <iterator>
#include <sstream>

#include "protocols/arp.hpp"
#include "protocols/dhcp.hpp"
#include "protocols/ethernet.hpp"
#include "protocols/icmpv4.hpp"
#include "protocols/ipv4.hpp"
#include "protocols/udp.hpp"

using namespace etherbeam;
using namespace etherbeam::server;

namespace {

const std::string data = std::string(ETHERBEAM_SOURCE_DIR) + "/tests/data/";

struct replay_test : ::testing::Test {
  std::filesystem::path dir;
  void SetUp() override {
    char name[] = "/tmp/etherbeam-replay-test-XXXXXX";
    dir = ::mkdtemp(name);
  }
  void TearDown() override { std::filesystem::remove_all(dir); }

  server_config owning(const char* address) {
    server_config c;
    c.identity.addresses.push_back(*protocols::ipv4_interface::from_string(address));
    return c;
  }

  std::vector<std::vector<std::uint8_t>> frames_in(const std::filesystem::path& file) {
    char why[PCAP_ERRBUF_SIZE];
    pcap_t* p = pcap_open_offline(file.c_str(), why);
    EXPECT_TRUE(p) << why;
    std::vector<std::vector<std::uint8_t>> frames;
    pcap_pkthdr* h;
    const u_char* bytes;
    while (p && pcap_next_ex(p, &h, &bytes) == 1) frames.emplace_back(bytes, bytes + h->caplen);
    if (p) pcap_close(p);
    return frames;
  }

  std::string file_bytes(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
  }
};

protocols::ipv4_packet ip_of(const protocols::ethernet_frame& eth) {
  return *protocols::ipv4_packet::check(eth.payload());
}

} // namespace

TEST_F(replay_test, answers_the_pings_and_the_arp_request_of_a_lab_capture) {
  std::ostringstream said;
  replay_summary s;
  auto out = dir / "out.pcap";
  ASSERT_EQ(replay(owning("10.77.0.2/24"), {data + "lab_ping_arp_udp.pcap", out}, said, &s), 0) << said.str();
  // The capture's own answers (from 10.77.0.2's MAC) are skipped, and that MAC answers.
  EXPECT_GT(s.frames_own, 0u);
  EXPECT_NE(said.str().find("answers as ce:89:d7:ed:bc:38 (its frames in the capture)"), std::string::npos)
    << said.str();
  int echo_replies = 0, arp_replies = 0;
  for (const auto& f : frames_in(out)) {
    auto eth = protocols::ethernet_frame::check(f);
    ASSERT_TRUE(eth);
    EXPECT_EQ(eth->source().to_string(), "ce:89:d7:ed:bc:38");
    if (eth->ethertype() == protocols::ethertype::arp)
      arp_replies += protocols::arp_packet::check(eth->payload())->operation() ==
                     static_cast<std::uint16_t>(protocols::arp_operation::reply);
    if (eth->ethertype() == protocols::ethertype::ipv4 && ip_of(*eth).protocol() == protocols::ip_protocol::icmp) {
      auto icmp = protocols::icmpv4_packet::check(ip_of(*eth).payload());
      echo_replies += icmp && icmp->type() == protocols::icmpv4_type::echo_reply;
    }
  }
  EXPECT_EQ(arp_replies, 1);
  EXPECT_GE(echo_replies, 3); // the plain, the padded and the fragmented request's
  EXPECT_EQ(s.frames_sent, frames_in(out).size());
}

TEST_F(replay_test, serves_dhcp_to_a_captured_client_from_a_scratch_state) {
  // The capture's server was dnsmasq at 10.77.0.3: etherbeam takes its place.
  auto config = owning("10.77.0.3/24");
  apps::dhcp::dhcp_subnet subnet;
  subnet.network = *protocols::ipv4_interface::from_string("10.77.0.0/24");
  subnet.pools = {{*protocols::ipv4_address::from_string("10.77.0.100"),
                   *protocols::ipv4_address::from_string("10.77.0.199")}};
  config.dhcp.subnets.push_back(subnet);
  config.dhcp.state_dir = dir / "never-touched";
  std::ostringstream said;
  auto out = dir / "out.pcap";
  ASSERT_EQ(replay(config, {data + "lab_dhcp_dhclient.pcap", out}, said), 0) << said.str();
  std::vector<protocols::dhcp_message_type> sent;
  for (const auto& f : frames_in(out)) {
    auto eth = protocols::ethernet_frame::check(f);
    auto udp = protocols::udp_packet::check(ip_of(*eth).payload());
    ASSERT_TRUE(udp);
    auto packet = protocols::dhcp_packet::check(udp->payload());
    ASSERT_TRUE(packet);
    auto dhcp = protocols::dhcp_repr::parse(*packet);
    ASSERT_TRUE(dhcp);
    sent.push_back(dhcp->message_type);
  }
  using t = protocols::dhcp_message_type;
  EXPECT_EQ(sent, (std::vector{t::offer, t::ack})) << said.str(); // DISCOVER, REQUEST: dnsmasq's answers skipped
  EXPECT_FALSE(std::filesystem::exists(dir / "never-touched"));
}

TEST_F(replay_test, the_same_capture_gives_the_same_bytes) {
  auto config = owning("10.77.0.2/24");
  std::ostringstream said;
  ASSERT_EQ(replay(config, {data + "lab_ping_arp_udp.pcap", dir / "a.pcap"}, said), 0) << said.str();
  ASSERT_EQ(replay(config, {data + "lab_ping_arp_udp.pcap", dir / "b.pcap"}, said), 0) << said.str();
  EXPECT_EQ(file_bytes(dir / "a.pcap"), file_bytes(dir / "b.pcap"));
  EXPECT_GT(file_bytes(dir / "a.pcap").size(), 24u); // more than the file header
}

TEST_F(replay_test, says_what_is_wrong_with_the_input) {
  std::ostringstream said;
  EXPECT_EQ(replay(owning("10.77.0.2/24"), {(dir / "missing.pcap").string(), dir / "out.pcap"}, said), 2);
  EXPECT_NE(said.str().find("cannot read"), std::string::npos) << said.str();
  std::ostringstream link;
  EXPECT_EQ(replay(owning("10.77.0.2/24"), {data + "lab_vlan.pcap", dir / "out.pcap", "uplink"}, link), 2);
  EXPECT_NE(link.str().find("no link named \"uplink\" (the links served: main)"), std::string::npos) << link.str();
}

// Every lab capture in tests/data, replayed by a server owning both lab
// addresses (10.77.0.2, the captures' etherbeam and kernel; 10.77.0.3,
// their dnsmasq) with a DHCP pool: what it sends to each.
TEST_F(replay_test, every_lab_capture_is_answered) {
  auto config = owning("10.77.0.2/24");
  config.identity.addresses.push_back(*protocols::ipv4_interface::from_string("10.77.0.3/24"));
  apps::dhcp::dhcp_subnet subnet;
  subnet.network = *protocols::ipv4_interface::from_string("10.77.0.0/24");
  subnet.pools = {{*protocols::ipv4_address::from_string("10.77.0.100"),
                   *protocols::ipv4_address::from_string("10.77.0.199")}};
  config.dhcp.subnets.push_back(subnet);
  struct expected {
    const char* capture;
    std::size_t sent;
  };
  for (auto [capture, sent] : {
         expected{"lab_dhcp_dhclient.pcap", 2},  // OFFER, ACK
         expected{"lab_dhcp_udhcpc.pcap", 2},    // OFFER, ACK
         expected{"lab_dhcp_dhcpcd.pcap", 3},    // OFFER, ACK, and the ACK of its INFORM
         expected{"lab_dhcp_perfdhcp.pcap", 7},  // 4 OFFERs, 3 ACKs: it sent 3 REQUESTs
         expected{"lab_fragments.pcap", 3},      // an echo reply, and one in two fragments
         expected{"lab_kernel_replies.pcap", 3}, // an echo reply, two ARP replies
         expected{"lab_ping_arp_udp.pcap", 6},   // 3 echo replies (one in 2 fragments), ARP, port unreachable
         expected{"lab_vlan.pcap", 5},           // tagged echo and ARP replies
         expected{"lab_tcp_super_frames.pcap", 0}, // TCP to nobody etherbeam serves
       }) {
    std::ostringstream said;
    replay_summary s;
    ASSERT_EQ(replay(config, {data + capture, dir / "out.pcap"}, said, &s), 0) << capture << ": " << said.str();
    EXPECT_EQ(s.frames_sent, sent) << capture << ": " << said.str();
  }
}
