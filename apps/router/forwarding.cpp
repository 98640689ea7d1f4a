#include "apps/router/forwarding.hpp"

#include "protocols/checksum.hpp"

#include "protocols/icmpv4.hpp"

namespace etherbeam::apps::router {

namespace {

bool is_loopback(protocols::ipv4_address a) { return (a.value >> 24) == 127; }
bool is_this_network(protocols::ipv4_address a) { return (a.value >> 24) == 0; }
// 240.0.0.0/4 but the limited broadcast: reserved (RFC 1812 §5.3.7, class E).
bool is_reserved(protocols::ipv4_address a) { return (a.value >> 28) == 0xf && !a.is_limited_broadcast(); }

bool martian_source(protocols::ipv4_address a) {
  return is_this_network(a) || is_loopback(a) || a.is_multicast() || a.is_limited_broadcast() || is_reserved(a);
}
bool martian_destination(protocols::ipv4_address a) {
  // Multicast is not routed here (no multicast routing); broadcasts never are.
  return is_this_network(a) || is_loopback(a) || a.is_multicast() || a.is_limited_broadcast() || is_reserved(a);
}

} // namespace

forwarding_decision decide_forwarding(const protocols::ipv4_packet& packet, const route_table& routes,
                                      const std::function<std::uint16_t(actors::link_index)>& mtu_of) {
  using kind = forwarding_decision::kind;
  if (martian_source(packet.source()) || martian_destination(packet.destination())) return {kind::martian, {}, 0};
  if (packet.ttl() <= 1) return {kind::time_exceeded, {}, 0};
  auto hop = routes.lookup(packet.destination());
  if (!hop) return {kind::net_unreachable, {}, 0};
  auto mtu = mtu_of(hop->link);
  if (packet.total_len() > mtu && packet.dont_fragment()) return {kind::fragmentation_needed, *hop, mtu};
  return {kind::forward, *hop, mtu};
}

void decrement_ttl(protocols::byte_buffer header) {
  using namespace protocols;
  // The TTL shares its 16-bit word with the protocol.
  std::uint16_t old_word = read_be16(header, ipv4_field::ttl);
  header[ipv4_field::ttl] = static_cast<std::uint8_t>(header[ipv4_field::ttl] - 1);
  adjust_checksum(header, ipv4_field::checksum, old_word, read_be16(header, ipv4_field::ttl));
}

bool may_send_icmp_error_about(const protocols::ipv4_packet& packet, bool link_broadcast) {
  using namespace protocols;
  if (link_broadcast || packet.fragment_offset() != 0) return false;
  if (martian_source(packet.source()) || packet.destination().is_multicast() ||
      packet.destination().is_limited_broadcast())
    return false;
  if (packet.protocol() != ip_protocol::icmp) return true;
  auto icmp = packet.payload();
  if (icmp.empty()) return false;
  // Queries (echo, timestamp...) may be answered with errors; errors never.
  switch (icmp[0]) {
    case icmpv4_type::destination_unreachable:
    case 4:  // source quench
    case 5:  // redirect
    case icmpv4_type::time_exceeded:
    case 12: // parameter problem
      return false;
    default: return true;
  }
}

} // namespace etherbeam::apps::router
