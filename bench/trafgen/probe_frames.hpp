#pragma once
// The frames ebgen sends and how it recognises the answers: ICMP echo
// requests that carry their own sequence number and send time in the payload
// (so that every reply is matched exactly, whatever order it arrives in), and
// ARP requests (whose replies carry nothing of ours: matched by arrival).
#include <cstdint>
#include <optional>

#include "protocols/addresses.hpp"
#include "protocols/bytes.hpp"

namespace etherbeam::bench {

struct probe_endpoints {
  protocols::mac_address source_mac, target_mac;
  protocols::ipv4_address source_ip, target_ip;
  std::uint16_t echo_identifier = 0;
  // Requests take identifiers echo_identifier, +1, ... in turn: as many ICMP
  // flows for a stateful firewall between (conntrack keys echo by identifier).
  std::uint16_t echo_identifiers = 1;
};

inline constexpr std::size_t echo_payload_len = 56; // as ping sends: 16 bytes ours, the rest filler

// Writes an echo request carrying `sequence` and `sent_ns`; returns the frame's length.
std::size_t emit_echo_request(const probe_endpoints& e, std::uint64_t sequence, std::uint64_t sent_ns,
                              protocols::byte_buffer out);
// Writes a UDP datagram of `udp_payload_len` bytes (a 60-byte frame, 64 on the
// wire with the FCS) from source port 1024 + sequence % echo_identifiers to
// port 9 (discard); returns the frame's length.
inline constexpr std::size_t udp_payload_len = 18;
std::size_t emit_udp_datagram(const probe_endpoints& e, std::uint64_t sequence, protocols::byte_buffer out);
// Writes an ARP request for the target's address; returns the frame's length.
std::size_t emit_arp_request(const probe_endpoints& e, protocols::byte_buffer out);

struct echo_answer {
  std::uint64_t sequence, sent_ns;
};
// An echo reply to one of our requests (identifier matches), or nullopt.
std::optional<echo_answer> parse_echo_reply(const probe_endpoints& e, protocols::byte_view frame);
// Whether `frame` is an ARP reply giving the target's address.
bool is_arp_reply(const probe_endpoints& e, protocols::byte_view frame);
// The MAC in an ARP reply for the target's address, if `frame` is one.
std::optional<protocols::mac_address> arp_reply_mac(const probe_endpoints& e, protocols::byte_view frame);

} // namespace etherbeam::bench
