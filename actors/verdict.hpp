#pragma once
// What became of one frame: a reply of some kind, or the reason it was dropped.
// Every frame ends in exactly one verdict, and every verdict is a counter.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "protocols/parse_result.hpp"

namespace etherbeam::actors {

// The header that refused the bytes, for drops caused by malformed input.
enum class layer : std::uint8_t { ethernet, arp, ipv4, icmpv4, udp, dhcp, count_ };

// Well-formed frames that this stack chooses not to answer.
enum class ignore_reason : std::uint8_t {
  own_mac_unknown,         // no MAC configured and none learned from the binder yet
  own_source_mac,          // claims our MAC as source: a loop or a spoof
  group_source_mac,        // multicast/broadcast source MAC is never legitimate
  not_our_mac,             // unicast to another station (seen in promiscuous mode)
  not_our_address,         // ARP/IP for an address we do not own
  bad_source_address,      // IP source 0.0.0.0, broadcast or multicast
  unsupported_ethertype,   // IPv6, LLDP, 802.3 length frames, ...
  unsupported_ip_protocol, // TCP and anything else without a service here
  no_udp_service,          // UDP to a port nothing listens on
  fragment,                // no reassembly: fragments are not answered
  not_a_request,           // ARP replies, echo replies, other ICMP types
  broadcast_ping_ignored,  // answer_broadcast_ping is off
  count_
};

enum class reply_kind : std::uint8_t { arp_reply, icmp_echo_reply, count_ };

struct verdict {
  // handed_off: a well-formed message for a stateful protocol actor (DHCP),
  // which decides and replies itself.
  enum class kind : std::uint8_t { reply, malformed, ignored, handed_off } outcome = kind::ignored;
  std::size_t reply_len = 0; // bytes written to the reply buffer, when outcome is reply
  reply_kind reply{};
  layer malformed_layer{};
  protocols::parse_error malformed_error{};
  ignore_reason ignored{};

  static verdict replied(reply_kind k, std::size_t len) { return {kind::reply, len, k}; }
  static verdict malformed(layer l, protocols::parse_error e) {
    return {kind::malformed, 0, {}, l, e};
  }
  static verdict ignore(ignore_reason r) { return {kind::ignored, 0, {}, {}, {}, r}; }
  static verdict hand_off() { return {kind::handed_off}; }
};

std::string_view to_string(layer l);
std::string_view to_string(ignore_reason r);
std::string_view to_string(reply_kind k);

} // namespace etherbeam::actors
