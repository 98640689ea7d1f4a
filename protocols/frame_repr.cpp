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
