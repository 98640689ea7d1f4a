#pragma once
// Decodes an Ethernet frame into its layers: Ethernet II, 802.1Q/802.1ad
// tags, ARP, IPv4 (options, fragments), ICMP (echo; errors with the quoted
// header decoded), UDP, TCP (flags, options), DHCP (every option by name from
// protocols/dhcp_option_defs), the rest as data. Checksums are verified and
// said to be good, bad (with the right value) or partial (left for offload).
// Never throws; a malformed frame keeps the layers decoded before the fault.
#include "apps/decoder/decoded_frame.hpp"

namespace etherbeam::apps::decoder {

decoded_frame decode_frame(protocols::byte_view frame);

// The layer decoders, each given the frame and where its layer starts (for
// offsets); they add their layer and call the next one.
namespace detail {
void decode_ipv4(decoded_frame& out, protocols::byte_view frame, std::size_t at, bool quoted = false);
void decode_udp(decoded_frame& out, protocols::byte_view frame, std::size_t at, std::size_t len,
                protocols::ipv4_address source, protocols::ipv4_address destination, bool checksum_known);
void decode_tcp(decoded_frame& out, protocols::byte_view frame, std::size_t at, std::size_t len,
                protocols::ipv4_address source, protocols::ipv4_address destination, bool checksum_known);
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
