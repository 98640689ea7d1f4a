// The firewall's view of a packet and its NAT rewriting, on packets from the
// wire. The input: an IPv4 packet. Properties: reading its facts stays in
// bounds; a packet whose checksums were right still has right checksums after
// its source and its destination are translated (and an ICMP error after its
// quote is); the packet filter, with masquerade and a port forward, decides
// every packet without failing and tracks no more flows than its bound.
#include <cstdint>
#include <vector>

#include "apps/firewall/packet_filter.hpp"
#include "apps/firewall/rules_file.hpp"
#include "protocols/checksum.hpp"
#include "tests/fuzz/fuzz_expect.hpp"

using namespace etherbeam::apps::firewall;
using namespace etherbeam::protocols;

namespace {

std::size_t header_len(byte_view p) { return std::size_t(p[0] & 0x0f) * 4; }

// Whether the IP header's checksum, and for an unfragmented packet the
// transport's, verify. UDP without a checksum counts as right.
bool checksums_right(byte_view p) {
  if (checksum_of(p.first(header_len(p))) != 0) return false;
  if (read_be16(p, 6) & 0x3fff) return true;
  auto l4 = p.subspan(header_len(p));
  std::uint8_t protocol = p[9];
  internet_checksum sum;
  if (protocol == ip_protocol::udp && l4.size() >= 8 && read_be16(l4, 6) == 0) return true;
  if (protocol == ip_protocol::tcp || protocol == ip_protocol::udp)
    sum.add(p.subspan(12, 8)).add_u16(protocol).add_u16(static_cast<std::uint16_t>(l4.size()));
  else if (protocol != ip_protocol::icmp)
    return true;
  return sum.add(l4).value() == 0;
}

packet_filter& filter() {
  static packet_filter f(std::make_shared<rules_in_force>(parse_rules("chain forward policy drop {\n  ct state established,related accept\n  iif lan "
                                     "accept\n}\nnat {\n  oif wan masquerade\n  iif wan tcp dport 8000-9000 dnat to "
                                     "10.1.0.5\n}\n",
                                     {"lan", "wan"})),
                         flow_table::settings{.max_flows = 64, .timeouts = {}});
  return f;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto checked = ipv4_packet::check(byte_view(data, size));
  if (!checked) return 0;
  auto facts = read_packet_facts(*checked);
  if (!facts) return 0;
  std::vector<std::uint8_t> p(data, data + checked->total_len());
  bool right = checksums_right(p) && !facts->is_fragment;
  endpoint to{{read_be32(p, 12) ^ 0x5a5a5a5a}, static_cast<std::uint16_t>(read_be16(p, 2) * 7)};
  if (facts->is_icmp_error) {
    translate_error(p, {to.address, {to.address.value + 1}, to, {{to.address.value + 2}, static_cast<std::uint16_t>(to.port + 1)}});
    if (right) FUZZ_EXPECT(checksum_of(byte_view(p).first(header_len(p))) == 0);
    if (right) FUZZ_EXPECT(checksum_of(byte_view(p).subspan(header_len(p))) == 0);
  } else {
    translate(p, packet_side::source, to);
    translate(p, packet_side::destination, {{to.address.value + 1}, static_cast<std::uint16_t>(to.port + 1)});
    if (right) FUZZ_EXPECT(checksums_right(p));
  }
  auto route = [](ipv4_address a) {
    if (a.value == 0xc0000201) return packet_path{true, std::nullopt, {}};
    return packet_path{false, static_cast<etherbeam::actors::link_index>(a.value & 1), {0xc0000201}};
  };
  auto now = clock::time_point{} + std::chrono::hours(1) + std::chrono::seconds(size);
  filter().decide({*facts, static_cast<etherbeam::actors::link_index>(data[0] & 1), size, route, now});
  FUZZ_EXPECT(filter().flows() <= 64);
  return 0;
}
