#include "apps/dhcp/dhcp_reply.hpp"

#include <algorithm>
#include <array>

#include "protocols/frame_repr.hpp"

namespace etherbeam::apps::dhcp {

using namespace protocols;

namespace {

struct destination {
  mac_address mac;
  ipv4_address address;
  std::uint16_t port = dhcp_client_port;
};

destination where_to(const dhcp_inbound& in, const dhcp_repr& reply) {
  const auto& m = in.message;
  if (!m.relay_address.is_unspecified()) return {in.ethernet.source, m.relay_address, dhcp_server_port};
  bool nak = reply.message_type == dhcp_message_type::nak;
  if (!nak && !m.client_address.is_unspecified()) return {in.ethernet.source, m.client_address};
  // A NAK, a client that asks for broadcast, and a reply with no address to
  // go to (an INFORM from ciaddr 0.0.0.0: RFC 1122 §3.2.1.3 forbids sending to it).
  if (nak || m.broadcast_flag || reply.your_address.is_unspecified())
    return {mac_address::broadcast(), ipv4_address{0xffffffffu}};
  return {m.client_hardware, reply.your_address};
}

} // namespace

std::size_t max_dhcp_message_len(const dhcp_inbound& request) {
  // The client's option 57 (at least 576, RFC 2132 §9.10) and the link's MTU
  // bound the IP datagram.
  std::size_t datagram = std::max<std::size_t>(request.message.max_message_size.value_or(576), 576);
  datagram = std::min<std::size_t>({datagram, request.link_mtu, max_dhcp_reply_frame - 14 - 8});
  return datagram - ipv4_repr::header_len() - udp_packet::header_len;
}

std::size_t emit_dhcp_reply(const dhcp_inbound& in, const dhcp_repr& reply, ipv4_address server_address,
                            mac_address server_mac, byte_buffer out) {
  auto to = where_to(in, reply);
  auto max_len = max_dhcp_message_len(in);
  auto dhcp_len = reply.buffer_len(max_len);
  if (dhcp_len == 0) return 0;

  ethernet_repr eth = in.ethernet; // same VLAN tags as the request
  eth.destination = to.mac;
  eth.source = server_mac;
  ipv4_repr ip;
  ip.source = server_address;
  ip.destination = to.address;
  ip.ttl = 64;
  ip.type_of_service = 0xc0; // network control, as DHCP servers mark their replies

  std::array<std::uint8_t, max_dhcp_reply_frame> dhcp_bytes;
  reply.emit(byte_buffer{dhcp_bytes}.first(dhcp_len), max_len);
  frame_repr frame{eth, ipv4_datagram_repr{ip, udp_repr{dhcp_server_port, to.port, byte_view{dhcp_bytes}.first(dhcp_len)}}};
  return frame.emit(out);
}

std::size_t emit_fitting_dhcp_reply(const dhcp_inbound& request, dhcp_repr reply, std::span<const dhcp_option> extra,
                                    ipv4_address server_address, mac_address server_mac, byte_buffer out,
                                    std::vector<std::uint8_t>& left_out) {
  // The options come ordered by importance (what the client asked for, in its
  // order, then the rest): each step leaves the last one out.
  std::size_t kept = extra.size();
  auto attempt = [&] {
    reply.extra_options = extra.first(kept);
    return emit_dhcp_reply(request, reply, server_address, server_mac, out);
  };
  auto n = attempt();
  while (n == 0 && kept > 0) {
    left_out.push_back(extra[--kept].code);
    n = attempt();
  }
  return n;
}

} // namespace etherbeam::apps::dhcp
