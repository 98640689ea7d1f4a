// The whole path a frame takes through the stack, minus the actors: dispatch
// to the host and DHCP registrations (ARP, ICMP echo, hand DHCP off), the DHCP server's decision on a table with
// leases in it, and the reply framed for the wire. Properties that must hold
// for any input: replies come from our MAC, never go to a multicast or
// broadcast source, are never larger than the request for ARP and ICMP (no
// amplification), and every frame emitted reads back as a frame.
//
// The first input byte chooses a mode: odd means "repair the IPv4, ICMP and
// UDP checksums first", so that mutations reach the DHCP server and the reply
// framing instead of stopping at a checksum; even passes the frame as it is.
#include <array>
#include <cstdint>
#include <vector>

#include <optional>

#include "actors/dispatcher.hpp"
#include "apps/dhcp/dhcp_intake.hpp"
#include "apps/dhcp/dhcp_reply.hpp"
#include "apps/dhcp/dhcp_server.hpp"
#include "apps/host/host_responders.hpp"
#include "protocols/checksum.hpp"
#include "protocols/ethernet.hpp"
#include "tests/fuzz/fuzz_expect.hpp"

using namespace etherbeam::actors;
using namespace etherbeam::apps::dhcp;
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
  s.options.push_back({3, {10, 77, 0, 1}});       // routers
  s.options.push_back({6, {10, 77, 0, 53}});      // domain_name_servers
  s.options.push_back({15, {'l', 'a', 'b', '.', 'x'}}); // domain_name
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

// Recomputes the checksums a mutation broke, where the lengths allow it.
void repair_checksums(std::vector<std::uint8_t>& frame) {
  std::size_t at = ethernet_frame::base_header_len;
  auto tagged = [&] { auto t = read_be16(frame, at - 2); return t == ethertype::vlan || t == ethertype::qinq; };
  while (at + 4 <= frame.size() && at < 22 && tagged()) at += 4;
  if (at + 20 > frame.size() || read_be16(frame, at - 2) != ethertype::ipv4) return;
  byte_buffer ip{frame.data() + at, frame.size() - at};
  std::size_t header = (ip[0] & 0x0f) * 4u, total = read_be16(ip, 2);
  if (header < 20 || header > total || total > ip.size()) return;
  write_be16(ip, 10, 0);
  write_be16(ip, 10, checksum_of(ip.first(header)));
  auto body = ip.subspan(header, total - header);
  if (ip[9] == 1 && body.size() >= 4) {
    write_be16(body, 2, 0);
    write_be16(body, 2, checksum_of(body));
  } else if (ip[9] == 17 && body.size() >= 8 && read_be16(body, 4) == body.size()) {
    write_be16(body, 6, 0);
    internet_checksum sum;
    sum.add(ip.subspan(12, 8)).add_u16(17).add_u16(static_cast<std::uint16_t>(body.size())).add(body);
    auto value = sum.value();
    write_be16(body, 6, value ? value : 0xffff);
  }
}

// The registrations etherbeam runs with DHCP on; the DHCP intake hands its
// message here instead of to a lease manager.
std::optional<dhcp_inbound> handed;

const dispatcher& lab_dispatcher() {
  static auto counters = std::make_shared<stack_counters>();
  static const dispatcher d = [] {
    auto regs = etherbeam::apps::host::host_registrations(counters->named);
    auto dhcp = std::make_shared<dhcp_counters>(counters);
    auto backlog = std::make_shared<admission_gate>(1 << 30, dhcp->overload_dropped);
    regs.push_back({"dhcp", frame_match::udp(dhcp_server_port, true),
                    std::make_shared<dhcp_intake>(dhcp, backlog, [](dhcp_inbound&& m, caf::execution_unit*) {
                      handed = std::move(m);
                      return true;
                    })});
    return dispatcher{std::move(regs), counters->named};
  }();
  return d;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* input, std::size_t input_size) {
  if (input_size == 0) return 0;
  std::vector<std::uint8_t> bytes(input + 1, input + input_size);
  if (input[0] & 1) repair_checksums(bytes);
  const std::uint8_t* data = bytes.data();
  std::size_t size = bytes.size();
  static const stack_identity me = lab_identity();
  static const dhcp_server server = lab_server();
  static const lease_table leases = lab_leases();
  byte_view request{data, size};
  std::vector<std::uint8_t> reply(size);
  handed.reset();
  auto v = lab_dispatcher().decide(request, me, reply);
  v.record();
  if (v.outcome == verdict::kind::reply) {
    FUZZ_EXPECT(v.reply_len <= size);
    expect_frame_from_us({reply.data(), v.reply_len});
    auto asked = ethernet_repr::parse(*ethernet_frame::check(request));
    FUZZ_EXPECT(!asked.source.is_group());
    FUZZ_EXPECT(asked.source != our_mac);
  }
  if (v.outcome != verdict::kind::handed_off) return 0;
  FUZZ_EXPECT(handed);
  auto& dhcp = *handed;
  FUZZ_EXPECT(dhcp.server_mac == our_mac);
  auto outcome = server.handle(dhcp, leases, now);
  if (!outcome.reply) return 0;
  std::array<std::uint8_t, max_dhcp_reply_frame> framed{};
  auto finished = outcome.finished_reply();
  auto len = emit_dhcp_reply(dhcp, finished, outcome.server_address, our_mac, framed);
  if (len) expect_frame_from_us({framed.data(), len});
  return 0;
}
