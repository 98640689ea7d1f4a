#include "actors/verdict.hpp"

namespace etherbeam::actors {

std::string_view to_string(layer l) {
  switch (l) {
    case layer::ethernet: return "ethernet";
    case layer::arp: return "arp";
    case layer::ipv4: return "ipv4";
    case layer::icmpv4: return "icmpv4";
    case layer::udp: return "udp";
    case layer::dhcp: return "dhcp";
    case layer::count_: break;
  }
  return "unknown";
}

std::string_view to_string(ignore_reason r) {
  switch (r) {
    case ignore_reason::own_mac_unknown: return "own_mac_unknown";
    case ignore_reason::own_source_mac: return "own_source_mac";
    case ignore_reason::group_source_mac: return "group_source_mac";
    case ignore_reason::not_our_mac: return "not_our_mac";
    case ignore_reason::not_our_address: return "not_our_address";
    case ignore_reason::bad_source_address: return "bad_source_address";
    case ignore_reason::unsupported_ethertype: return "unsupported_ethertype";
    case ignore_reason::unsupported_ip_protocol: return "unsupported_ip_protocol";
    case ignore_reason::no_udp_service: return "no_udp_service";
    case ignore_reason::fragment: return "fragment";
    case ignore_reason::not_a_request: return "not_a_request";
    case ignore_reason::broadcast_ping_ignored: return "broadcast_ping_ignored";
    case ignore_reason::count_: break;
  }
  return "unknown";
}

std::string_view to_string(reply_kind k) {
  switch (k) {
    case reply_kind::arp_reply: return "arp_reply";
    case reply_kind::icmp_echo_reply: return "icmp_echo_reply";
    case reply_kind::count_: break;
  }
  return "unknown";
}

} // namespace etherbeam::actors
