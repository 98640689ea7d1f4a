#pragma once
// What the firewall needs to know about an IPv4 packet, read once: its flow
// (protocol, addresses, ports or ICMP identifier), TCP flags, ICMP type, and
// for an ICMP error the flow of the datagram it quotes. Pure.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "protocols/addresses.hpp"
#include "protocols/ipv4.hpp"
#include "protocols/tcp.hpp"

namespace etherbeam::apps::firewall {

// One direction of a flow, as conntrack names it. For ICMP echo the
// identifier stands in for both ports (as Linux does), so the request and its
// reply fall into the same flow.
struct flow_tuple {
  std::uint8_t protocol = 0;
  protocols::ipv4_address source;
  protocols::ipv4_address destination;
  std::uint16_t source_port = 0;
  std::uint16_t destination_port = 0;

  // The tuple the answer to this direction carries.
  flow_tuple reversed() const { return {protocol, destination, source, destination_port, source_port}; }
  bool operator==(const flow_tuple&) const = default;
  std::string to_string() const;
};

struct flow_tuple_hash {
  std::size_t operator()(const flow_tuple& t) const noexcept;
};

struct packet_facts {
  flow_tuple flow;
  std::uint8_t tcp_flags = 0; // protocols::tcp_field::fin, syn, ...
  // TCP's numbers, for the window a reset must fall in (tcp_window.hpp).
  std::uint32_t tcp_seq = 0, tcp_ack = 0;
  std::uint32_t tcp_segment_length = 0; // its data, plus one each for SYN and FIN
  std::uint16_t tcp_window = 0;         // as sent, unscaled
  std::int8_t tcp_window_scale = -1;    // a SYN's window scale option, -1 for none
  std::uint8_t icmp_type = 0, icmp_code = 0;
  bool is_icmp_echo = false;  // request or reply: tracked as a flow
  bool is_icmp_error = false; // unreachable, time exceeded...: `quoted` names the flow it is about
  flow_tuple quoted;          // as the original packet carried it (from the error's receiver's view: reversed)
  bool is_fragment = false;   // a non-first fragment: no ports to read
};

// Reads `packet` (its header already checked). nullopt: too short for the
// transport header it names (conntrack calls such packets invalid).
std::optional<packet_facts> read_packet_facts(const protocols::ipv4_packet& packet);

} // namespace etherbeam::apps::firewall
