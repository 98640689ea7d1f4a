#include "apps/firewall/reject_answer.hpp"

#include "protocols/frame_repr.hpp"
#include "protocols/icmpv4.hpp"

namespace etherbeam::apps::firewall {

using namespace protocols;

std::size_t emit_reject(const ethernet_repr& request, const ipv4_packet& packet, const mac_address& from_mac,
                        ipv4_address icmp_from, byte_buffer reply) {
  auto ip_in = ipv4_repr::parse(packet);
  if (!ip_in || request.destination.is_group() || packet.fragment_offset() != 0) return 0;
  auto segment = packet.payload();
  auto link = answering(request, from_mac);
  // From the address the segment was for, as the host behind would have answered
  // (type of service 0, as netfilter's reject sends it).
  if (packet.protocol() == ip_protocol::tcp) return emit_tcp_reset(link, packet, 0, reply);
  if (packet.protocol() == ip_protocol::icmp && !segment.empty() && segment[0] != icmpv4_type::echo_request)
    return 0; // no errors about ICMP errors or replies
  return emit_icmp_error(link, icmp_from, packet, icmpv4_type::destination_unreachable, icmpv4_unreachable::port, 0,
                         reply);
}

} // namespace etherbeam::apps::firewall
