#pragma once
// Decodes an Ethernet frame into its layers: Ethernet II, 802.1Q/802.1ad
// tags, ARP, IPv4 (options, fragments), ICMP (echo; errors with the quoted
// header decoded), IPv6 (extension headers) and ICMPv6 (echo, errors,
// neighbour discovery, MLD), UDP, TCP (flags, options), DHCP (every option
// by name from protocols/dhcp_option_defs), the rest as data. Checksums are verified and
// said to be good, bad (with the right value) or partial (left for offload).
// Never throws; a malformed frame keeps the layers decoded before the fault.
// Captures of other links than Ethernet start with another header: Linux's
// cooked headers (`tcpdump -i any`) or none at all (raw IP, from tun devices).
#include <cstdint>
#include <optional>

#include "apps/decoder/decoded_frame.hpp"
#include "protocols/checksum.hpp"

namespace etherbeam::apps::decoder {

// The header a capture's frames start with: its pcap link type.
enum class link_type : std::uint8_t {
  ethernet,   // LINKTYPE_ETHERNET
  linux_sll,  // LINKTYPE_LINUX_SLL: Linux cooked capture v1 (`tcpdump -i any -y LINUX_SLL`)
  linux_sll2, // LINKTYPE_LINUX_SLL2: v2, what `tcpdump -i any` writes since tcpdump 4.99
  raw_ip,     // LINKTYPE_RAW, LINKTYPE_IPV4: the IP packet alone (tun devices, WireGuard)
};
// The link type for a pcap DLT_ value; nullopt for one the decoder cannot read.
std::optional<link_type> link_type_of_dlt(int dlt);

decoded_frame decode_frame(protocols::byte_view frame, link_type link = link_type::ethernet);

// The layer decoders, each given the frame and where its layer starts (for
// offsets); they add their layer and call the next one.
namespace detail {
// What follows a link header that names its payload by EtherType: VLAN tags, ARP, IPv4, else data.
void decode_ethertype(decoded_frame& out, protocols::byte_view frame, std::size_t at, std::uint16_t type);
std::string ethertype_name(std::uint16_t type);
void decode_linux_sll(decoded_frame& out, protocols::byte_view frame, bool version_2);
void decode_raw_ip(decoded_frame& out, protocols::byte_view frame);
void decode_ipv4(decoded_frame& out, protocols::byte_view frame, std::size_t at, bool quoted = false);
// What a UDP or TCP decoder needs from the IP layer around it.
struct transport_context {
  protocols::internet_checksum addresses; // the pseudo-header's two addresses, summed (IPv4's or IPv6's)
  bool quoted = false;      // inside an ICMP error: only the first 8 bytes are sure to be there
  bool verifiable = true;   // false: the checksum cannot be checked here (the first fragment of a datagram)
};
void decode_udp(decoded_frame& out, protocols::byte_view frame, std::size_t at, std::size_t len,
                const transport_context& context);
void decode_tcp(decoded_frame& out, protocols::byte_view frame, std::size_t at, std::size_t len,
                const transport_context& context);
void decode_ipv6(decoded_frame& out, protocols::byte_view frame, std::size_t at, bool quoted = false);
void decode_dhcp(decoded_frame& out, protocols::byte_view frame, std::size_t at, std::size_t len);
void decode_data(decoded_frame& out, protocols::byte_view frame, std::size_t at, std::size_t len);
// Adds `f` to the frame's last layer and returns it, for children.
field& add(decoded_frame& out, field f);
void malformed(decoded_frame& out, std::string layer, std::string field, std::size_t offset, std::string why);
// The checksum fields Wireshark shows: the value, its status ("1" good, "0"
// bad, "2" unverified), and the right value when it is bad.
void add_checksum(decoded_frame& out, const std::string& proto, std::uint16_t wire, std::optional<std::uint16_t> right,
                  std::size_t offset, bool partial = false);
} // namespace detail

} // namespace etherbeam::apps::decoder
