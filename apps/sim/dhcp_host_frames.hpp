#pragma once
// The frames a simulated DHCP client sends and the ones it acts on, as a
// host's kernel and DHCP client would make and read them. Pure.
#include <cstdint>
#include <optional>
#include <vector>

#include "apps/sim/dhcp_client.hpp"
#include "protocols/addresses.hpp"
#include "protocols/bytes.hpp"
#include "protocols/ethernet.hpp"

namespace etherbeam::apps::sim {

// What the client learned besides the lease: the options it asked for.
struct offered_options {
  std::optional<protocols::ipv4_address> subnet_mask, router, dns;
};

// The Ethernet header of a frame a host sends: untagged, or on its VLAN.
protocols::ethernet_repr host_ethernet(protocols::mac_address to, protocols::mac_address from, std::uint16_t vlan);

// A message from the client at `mac`: broadcast (from 0.0.0.0, or from its
// address when REBINDING), or unicast to its server at `server_mac`.
// `vlan`: 0 untagged, else the 802.1Q VLAN id the host is on.
std::vector<std::uint8_t> client_frame(const client_message& m, const protocols::mac_address& mac,
                                       std::optional<protocols::mac_address> server_mac, std::uint16_t vlan = 0);

// An ARP probe for `address` (RFC 5227 §2.1.1: sender address 0.0.0.0).
std::vector<std::uint8_t> arp_probe(const protocols::mac_address& mac, protocols::ipv4_address address,
                                    std::uint16_t vlan = 0);

// A DHCP server's message to the client at `mac`, with the MAC it came from.
struct received_answer {
  server_answer answer;
  offered_options options;
  protocols::mac_address server_mac;
};
std::optional<received_answer> dhcp_answer_in(protocols::byte_view frame, const protocols::mac_address& mac);

// Whether the frame is another station's ARP for `address` (a reply, or a
// probe of its own): the address is in use (RFC 5227 §2.1.1).
bool claims_address(protocols::byte_view frame, protocols::ipv4_address address, const protocols::mac_address& mac);

} // namespace etherbeam::apps::sim
