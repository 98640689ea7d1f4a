// The whole path a frame takes through the stack, minus the actors: decide
// (ARP, ICMP echo, hand DHCP off), the DHCP server's decision on a table with
// leases in it, and the reply framed for the wire. Properties that must hold
// for any input: replies come from our MAC, never go to a multicast or
// broadcast source, are never larger than the request for ARP and ICMP (no
// amplification), and every frame emitted reads back as a frame.
#include <array>
#include <cstdint>
#include <vector>

#include "actors/dhcp_reply.hpp"
#include "actors/dhcp_server.hpp"
#include "actors/responder.hpp"
#include "protocols/ethernet.hpp"
#include "tests/fuzz/fuzz_expect.hpp"

using namespace etherbeam::actors;
using namespace etherbeam::protocols;

namespace {

ipv4_address ip(const char* text) { return *ipv4_address::from_string(text); }
const mac_address our_mac = *mac_address::from_string("ce:89:d7:ed:bc:38");
constexpr std::int64_t now = 1'800'000'000;

// The lab the seed frames were captured in: the stack owned 10.77.0.2 and the
// DHCP server was 10.77.0.3.
stack_identity lab_identity() {
  stack_identity me;
  me.addresses = {*ipv4_interface::from_string("10.77.0.2/24"),
                  *ipv4_interface::from_string("10.77.0.3/24")};
  me.mac = our_mac;
  return me;
}

dhcp_server lab_server() {
  dhcp_subnet s;
  s.network = *ipv4_interface::from_string("10.77.0.0/24");
  s.pools = {{ip("10.77.0.100"), ip("10.77.0.199")}};
  s.excluded = {ip("10.77.0.150")};
  s.routers.push_back(ip("10.77.0.1"));
  s.dns_servers.push_back(ip("10.77.0.53"));
  s.domain_name = "lab.example";
  s.options.push_back({66, std::vector<std::uint8_t>(300, 'x')}); // split by RFC 3396
  s.reservations.push_back({mac_address::from_string("02:00:00:00:00:01"), {}, ip("10.77.0.120"), "reserved"});
  dhcp_settings settings;
  settings.subnets.push_back(s);
  return dhcp_server{settings, lab_identity().addresses};
}

lease_table lab_leases() {
  lease_table t;
  auto mac = *mac_address::from_string("02:00:00:00:00:99");
  t.put(lease{ip("10.77.0.101"), client_key_of(mac), mac, "bound", now + 600, lease_state::bound});
  auto other = *mac_address::from_string("02:00:00:00:00:98");
  t.put(lease{ip("10.77.0.102"), client_key_of(other), other, "", now + 600, lease_state::declined});
  return t;
}

void expect_frame_from_us(byte_view reply) {
  auto frame = ethernet_frame::check(reply);
  FUZZ_EXPECT(frame);
  auto eth = ethernet_repr::parse(*frame);
  FUZZ_EXPECT(eth.source == our_mac);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const stack_identity me = lab_identity();
  static const dhcp_server server = lab_server();
  static const lease_table leases = lab_leases();
  byte_view request{data, size};
  std::vector<std::uint8_t> reply(size);
  dhcp_inbound dhcp;
  auto v = respond(request, me, reply, &dhcp);
  if (v.outcome == verdict::kind::reply) {
    FUZZ_EXPECT(v.reply_len <= size);
    expect_frame_from_us({reply.data(), v.reply_len});
    auto asked = ethernet_repr::parse(*ethernet_frame::check(request));
    FUZZ_EXPECT(!asked.source.is_group());
    FUZZ_EXPECT(asked.source != our_mac);
  }
  if (v.outcome != verdict::kind::handed_off) return 0;
  dhcp.server_mac = our_mac;
  auto outcome = server.handle(dhcp, leases, now);
  if (!outcome.reply) return 0;
  std::array<std::uint8_t, max_dhcp_reply_frame> framed{};
  auto finished = outcome.finished_reply();
  auto len = emit_dhcp_reply(dhcp, finished, outcome.server_address, our_mac, framed);
  if (len) expect_frame_from_us({framed.data(), len});
  return 0;
}
