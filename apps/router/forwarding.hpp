#pragma once
// What a router does with an IPv4 packet addressed to another host (RFC 1812
// §5.2-5.3): drop what must never be forwarded, answer an expiring TTL or an
// unknown network with an ICMP error, refuse to fragment what DF forbids, and
// otherwise pass it to the next hop with its TTL one lower. Pure.
#include <cstdint>
#include <functional>

#include "apps/router/route_table.hpp"
#include "protocols/ipv4.hpp"

namespace etherbeam::apps::router {

struct forwarding_decision {
  enum class kind : std::uint8_t {
    forward,              // to `hop`, TTL lowered
    time_exceeded,        // TTL would reach 0 here: ICMP time exceeded (traceroute sees this hop)
    net_unreachable,      // no route: ICMP destination net unreachable
    fragmentation_needed, // larger than `hop`'s link MTU with DF set: ICMP with that MTU (path MTU discovery)
    martian,              // a source or destination no router forwards (RFC 1812 §5.3.7): dropped silently
  };
  kind what = kind::forward;
  next_hop hop;
  std::uint16_t next_hop_mtu = 0;
};

// `packet`: the IPv4 packet as it arrived (header checked, total length within
// the frame); `mtu_of(link)`: the largest IP packet each link carries.
forwarding_decision decide_forwarding(const protocols::ipv4_packet& packet, const route_table& routes,
                                      const std::function<std::uint16_t(actors::link_index)>& mtu_of);

// Lowers the TTL by one and updates the header checksum incrementally
// (RFC 1624 eqn. 3), as a router must not recompute it over a header it
// has not otherwise changed. `header`: the IPv4 header, TTL at least 1.
void decrement_ttl(protocols::byte_buffer header);

// Whether an ICMP error may be sent about `packet` (RFC 1812 §4.3.2.7): never
// about an ICMP error, a fragment other than the first, a datagram sent to a
// broadcast or multicast address (link or IP), or from an address that does
// not name one host.
bool may_send_icmp_error_about(const protocols::ipv4_packet& packet, bool link_broadcast);

} // namespace etherbeam::apps::router
