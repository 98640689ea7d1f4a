#include "apps/firewall/reject_answer.hpp"

#include <variant>

#include "protocols/frame_repr.hpp"
#include "protocols/icmpv4.hpp"
#include "protocols/tcp.hpp"

namespace etherbeam::apps::firewall {

using namespace protocols;

std::size_t emit_reject(const ethernet_repr& request, const ipv4_packet& packet, const mac_address& from_mac,
                        ipv4_address icmp_from, byte_buffer reply) {
  auto ip_in = ipv4_repr::parse(packet);
  if (!ip_in || request.destination.is_group() || packet.fragment_offset() != 0) return 0;
  auto segment = packet.payload();
  auto link = answering(request, from_mac);
  ipv4_repr ip;
  ip.ttl = 64;
  ip.destination = ip_in->source;
  std::variant<icmpv4_echo_repr, icmpv4_error_repr, udp_repr, tcp_header_repr> answer;
  if (packet.protocol() == ip_protocol::tcp && segment.size() >= tcp_header_repr::header_len) {
    if (segment[tcp_field::flags] & tcp_field::rst) return 0; // never a reset for a reset
    std::size_t header = std::size_t(segment[tcp_field::data_offset] >> 4) * 4;
    // From the address the segment was for, as the host behind would have answered.
    ip.source = ip_in->destination;
    answer = tcp_header_repr::reset_for(segment, segment.size() > header ? segment.size() - header : 0);
  } else {
    if (packet.protocol() == ip_protocol::icmp && !segment.empty() && segment[0] != icmpv4_type::echo_request)
      return 0; // no errors about ICMP errors or replies
    ip.source = icmp_from;
    ip.type_of_service = 0xc0;
    answer = icmpv4_error_repr{icmpv4_type::destination_unreachable, icmpv4_unreachable::port, 0,
                               icmpv4_error_repr::quote_of(byte_view(packet.header().data(), packet.total_len()),
                                                           packet.header_len(),
                                                           icmpv4_error_repr::room_in(reply.size(), link.header_len()))};
  }
  frame_repr frame{link, ipv4_datagram_repr{ip, answer}};
  return frame.emit(reply);
}

} // namespace etherbeam::apps::firewall
