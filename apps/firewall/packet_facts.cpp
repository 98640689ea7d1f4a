#include "apps/firewall/packet_facts.hpp"

#include <algorithm>

#include "protocols/icmpv4.hpp"

namespace etherbeam::apps::firewall {

using namespace protocols;

std::string flow_tuple::to_string() const {
  std::string name = protocol == ip_protocol::tcp ? "tcp" : protocol == ip_protocol::udp ? "udp"
                     : protocol == ip_protocol::icmp ? "icmp" : "proto " + std::to_string(protocol);
  return name + " " + source.to_string() + ":" + std::to_string(source_port) + " > " + destination.to_string() +
         ":" + std::to_string(destination_port);
}

std::size_t flow_tuple_hash::operator()(const flow_tuple& t) const noexcept {
  // Mixes all fields (splitmix64 finaliser): flows from one host differ only in a port.
  std::uint64_t x = (std::uint64_t(t.source.value) << 32 | t.destination.value) ^
                    (std::uint64_t(t.source_port) << 40 | std::uint64_t(t.destination_port) << 16 | t.protocol);
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  x ^= x >> 31;
  return static_cast<std::size_t>(x);
}

namespace {

bool is_error_type(std::uint8_t type) {
  return type == icmpv4_type::destination_unreachable || type == icmpv4_type::time_exceeded || type == 4 /* quench */ ||
         type == 12 /* parameter problem */;
}

// A TCP header's flags, numbers and (in a SYN) window scale; `l4` holds the
// whole segment and at least 20 bytes.
void read_tcp_numbers(byte_view l4, packet_facts& f) {
  f.tcp_flags = l4[tcp_field::flags];
  f.tcp_seq = read_be32(l4, tcp_field::sequence);
  f.tcp_ack = read_be32(l4, tcp_field::acknowledgment);
  f.tcp_window = read_be16(l4, tcp_field::window);
  std::size_t header = std::min<std::size_t>(std::size_t(l4[tcp_field::data_offset] >> 4) * 4, l4.size());
  f.tcp_segment_length = static_cast<std::uint32_t>(l4.size() - header) +
                         ((f.tcp_flags & tcp_field::syn) ? 1 : 0) + ((f.tcp_flags & tcp_field::fin) ? 1 : 0);
  if (!(f.tcp_flags & tcp_field::syn)) return;
  for (std::size_t at = 20; at < header;) { // the options: kind, length, value (RFC 9293 §3.1)
    std::uint8_t kind = l4[at];
    if (kind == 0) break;
    if (kind == 1) {
      ++at;
      continue;
    }
    if (at + 1 >= header || l4[at + 1] < 2) break;
    if (kind == 3 && l4[at + 1] == 3 && at + 2 < header)
      f.tcp_window_scale = static_cast<std::int8_t>(std::min<std::uint8_t>(l4[at + 2], 14)); // RFC 7323 §2.3
    at += l4[at + 1];
  }
}

// Ports (or the echo identifier) of a transport header: needs its first 8 bytes.
bool read_ports(std::uint8_t protocol, byte_view l4, flow_tuple& flow, packet_facts* facts) {
  if (protocol == ip_protocol::tcp || protocol == ip_protocol::udp) {
    if (l4.size() < 8) return false;
    flow.source_port = read_be16(l4, 0);
    flow.destination_port = read_be16(l4, 2);
    if (facts && protocol == ip_protocol::tcp) {
      if (l4.size() < 20) return false;
      read_tcp_numbers(l4, *facts);
    }
    return true;
  }
  if (protocol == ip_protocol::icmp) {
    if (l4.size() < 8) return false;
    if (l4[0] == icmpv4_type::echo_request || l4[0] == icmpv4_type::echo_reply) {
      flow.source_port = flow.destination_port = read_be16(l4, icmpv4_field::echo_identifier);
    }
    return true;
  }
  return true; // other protocols: addresses only
}

} // namespace

std::optional<packet_facts> read_packet_facts(const ipv4_packet& packet) {
  packet_facts f;
  f.flow.protocol = packet.protocol();
  f.flow.source = packet.source();
  f.flow.destination = packet.destination();
  if (packet.fragment_offset() != 0) {
    f.is_fragment = true;
    return f;
  }
  auto l4 = packet.payload();
  if (!read_ports(f.flow.protocol, l4, f.flow, &f)) return std::nullopt;
  if (f.flow.protocol != ip_protocol::icmp) return f;
  f.icmp_type = l4[0];
  f.icmp_code = l4[1];
  f.is_icmp_echo = f.icmp_type == icmpv4_type::echo_request || f.icmp_type == icmpv4_type::echo_reply;
  if (!is_error_type(f.icmp_type)) return f;
  // The quoted datagram: its IP header and at least 8 bytes of what followed.
  auto inner = l4.subspan(8);
  if (inner.size() < ipv4_packet::min_header_len) return std::nullopt;
  std::size_t header = std::size_t(inner[0] & 0x0f) * 4;
  if ((inner[0] >> 4) != 4 || header < ipv4_packet::min_header_len || inner.size() < header + 8) return std::nullopt;
  f.is_icmp_error = true;
  f.quoted.protocol = inner[ipv4_field::protocol];
  f.quoted.source = ipv4_address::read(inner, ipv4_field::source);
  f.quoted.destination = ipv4_address::read(inner, ipv4_field::destination);
  read_ports(f.quoted.protocol, inner.subspan(header), f.quoted, nullptr);
  return f;
}

} // namespace etherbeam::apps::firewall
