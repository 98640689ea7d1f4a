#include "protocols/frame_repr.hpp"

namespace etherbeam::protocols {

namespace {

std::size_t payload_len(const ipv4_datagram_repr& d) {
  return std::visit([](const auto& p) { return p.buffer_len(); }, d.payload);
}

} // namespace

ethernet_repr answering(const ethernet_repr& request, const mac_address& me) {
  ethernet_repr r = request;
  r.destination = request.source;
  r.source = me;
  return r;
}

ipv4_repr answering(const ipv4_repr& request, ipv4_address local) {
  ipv4_repr r;
  r.source = local;
  r.destination = request.source;
  r.type_of_service = request.type_of_service;
  r.identification = request.identification;
  r.dont_fragment = request.dont_fragment;
  return r;
}

std::size_t emit_icmp_error(const ethernet_repr& link, ipv4_address from, const ipv4_packet& about,
                            std::uint8_t type, std::uint8_t code, std::uint32_t rest, byte_buffer out) {
  auto headers = link.header_len() + ipv4_repr::header_len() + icmpv4_packet::header_len;
  auto room = out.size() > headers ? out.size() - headers : 0;
  icmpv4_error_repr error{type, code, rest, icmpv4_error_repr::quote_of(about.bytes(), about.header_len(), room)};
  ipv4_repr ip;
  ip.source = from;
  ip.destination = about.source();
  ip.type_of_service = 0xc0;
  return frame_repr{link, ipv4_datagram_repr{ip, error}}.emit(out);
}

std::size_t emit_tcp_reset(const ethernet_repr& link, const ipv4_packet& about, std::uint8_t type_of_service,
                           byte_buffer out) {
  auto segment = about.payload();
  if (segment.size() < tcp_header_repr::header_len) return 0;
  std::size_t header = std::size_t(segment[tcp_field::data_offset] >> 4) * 4;
  if (header < tcp_header_repr::header_len || header > segment.size()) return 0;
  if (segment[tcp_field::flags] & tcp_field::rst) return 0; // never a reset for a reset
  ipv4_repr ip;
  ip.source = about.destination();
  ip.destination = about.source();
  ip.type_of_service = type_of_service;
  ip.dont_fragment = true;
  return frame_repr{link, ipv4_datagram_repr{ip, tcp_header_repr::reset_for(segment, segment.size() - header)}}.emit(out);
}

std::size_t frame_repr::buffer_len() const {
  if (const auto* arp = std::get_if<arp_repr>(&payload)) return ethernet.header_len() + arp->buffer_len();
  return ethernet.header_len() + ipv4_repr::header_len() + payload_len(std::get<ipv4_datagram_repr>(payload));
}

std::size_t frame_repr::emit(byte_buffer out) const {
  auto len = buffer_len();
  if (out.size() < len) return 0;
  auto eth = ethernet;
  auto rest = out.subspan(eth.header_len());
  if (const auto* arp = std::get_if<arp_repr>(&payload)) {
    eth.ethertype = ethertype::arp;
    eth.emit(out);
    arp->emit(rest);
    return len;
  }
  const auto& datagram = std::get<ipv4_datagram_repr>(payload);
  eth.ethertype = ethertype::ipv4;
  eth.emit(out);
  auto ip = datagram.header;
  ip.payload_len = static_cast<std::uint16_t>(payload_len(datagram));
  auto transport = rest.subspan(ipv4_repr::header_len());
  if (const auto* echo = std::get_if<icmpv4_echo_repr>(&datagram.payload)) {
    ip.protocol = ip_protocol::icmp;
    echo->emit(transport);
  } else if (const auto* error = std::get_if<icmpv4_error_repr>(&datagram.payload)) {
    ip.protocol = ip_protocol::icmp;
    error->emit(transport);
  } else if (const auto* udp = std::get_if<udp_repr>(&datagram.payload)) {
    ip.protocol = ip_protocol::udp;
    udp->emit(transport, ip.source, ip.destination);
  } else {
    ip.protocol = ip_protocol::tcp;
    std::get<tcp_header_repr>(datagram.payload).emit(transport, ip.source, ip.destination);
  }
  ip.emit(rest);
  return len;
}

} // namespace etherbeam::protocols
