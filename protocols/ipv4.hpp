#pragma once
// IPv4 headers (RFC 791): options are skipped over, fragments are reported as
// such (ipv4_reassembly puts them together), the header checksum is verified
// on input and computed on output.
#include <cstdint>
#include <span>
#include <type_traits>

#include "protocols/addresses.hpp"
#include "protocols/parse_result.hpp"

namespace etherbeam::protocols {

namespace ip_protocol {
inline constexpr std::uint8_t icmp = 1;
inline constexpr std::uint8_t tcp = 6;
inline constexpr std::uint8_t udp = 17;
} // namespace ip_protocol

// Where each field sits in the header (RFC 791 §3.1): named once, for the
// view's getters and its setters alike.
namespace ipv4_field {
inline constexpr std::size_t version_ihl = 0, type_of_service = 1, total_len = 2, identification = 4,
                             flags_fragment = 6, ttl = 8, protocol = 9, checksum = 10, source = 12,
                             destination = 16;
inline constexpr std::uint16_t dont_fragment = 0x4000, more_fragments = 0x2000, fragment_offset = 0x1fff;
} // namespace ipv4_field

// A view over an IPv4 packet: ipv4_packet reads a checked packet;
// ipv4_packet_writer (over a mutable buffer) also writes its fields.
template <class Byte>
class basic_ipv4_packet {
public:
  static constexpr std::size_t min_header_len = 20;
  using bytes_type = std::span<Byte>;

  // Checks that the header and the total length it claims fit in `bytes`;
  // bytes past total_length (Ethernet padding) are not part of the packet.
  static parsed<basic_ipv4_packet> check(bytes_type bytes);
  // A view for writing a header from scratch: nothing to check yet.
  static basic_ipv4_packet new_unchecked(bytes_type bytes) { return basic_ipv4_packet{bytes}; }
  basic_ipv4_packet() = default;

  std::uint8_t version() const { return bytes_[ipv4_field::version_ihl] >> 4; }
  std::size_t header_len() const { return std::size_t(bytes_[ipv4_field::version_ihl] & 0x0f) * 4; }
  std::uint8_t type_of_service() const { return bytes_[ipv4_field::type_of_service]; }
  std::uint16_t total_len() const { return read_be16(bytes_, ipv4_field::total_len); }
  std::uint16_t identification() const { return read_be16(bytes_, ipv4_field::identification); }
  bool dont_fragment() const { return flags_fragment() & ipv4_field::dont_fragment; }
  bool more_fragments() const { return flags_fragment() & ipv4_field::more_fragments; }
  std::uint16_t fragment_offset() const { return flags_fragment() & ipv4_field::fragment_offset; } // 8-byte units
  bool is_fragment() const { return more_fragments() || fragment_offset() != 0; }
  std::uint8_t ttl() const { return bytes_[ipv4_field::ttl]; }
  std::uint8_t protocol() const { return bytes_[ipv4_field::protocol]; }
  std::uint16_t header_checksum() const { return read_be16(bytes_, ipv4_field::checksum); }
  ipv4_address source() const { return ipv4_address::read(bytes_, ipv4_field::source); }
  ipv4_address destination() const { return ipv4_address::read(bytes_, ipv4_field::destination); }
  byte_view header() const { return byte_view(bytes_).first(header_len()); }
  byte_view bytes() const { return bytes_; } // the whole packet, total_len bytes once checked
  byte_view options() const { return byte_view(bytes_).subspan(min_header_len, header_len() - min_header_len); }
  byte_view payload() const { return byte_view(bytes_).subspan(header_len()); }
  bool checksum_valid() const;

  // Setters, for a view over a mutable buffer.
  void set_version_and_header_len(std::size_t header) requires (!std::is_const_v<Byte>) {
    bytes_[ipv4_field::version_ihl] = static_cast<std::uint8_t>(0x40 | (header / 4));
  }
  void set_type_of_service(std::uint8_t v) requires (!std::is_const_v<Byte>) { bytes_[ipv4_field::type_of_service] = v; }
  void set_total_len(std::uint16_t v) requires (!std::is_const_v<Byte>) { write_be16(bytes_, ipv4_field::total_len, v); }
  void set_identification(std::uint16_t v) requires (!std::is_const_v<Byte>) {
    write_be16(bytes_, ipv4_field::identification, v);
  }
  void set_flags_and_fragment_offset(bool dont_fragment, bool more_fragments, std::uint16_t offset)
    requires (!std::is_const_v<Byte>) {
    write_be16(bytes_, ipv4_field::flags_fragment,
               static_cast<std::uint16_t>((dont_fragment ? ipv4_field::dont_fragment : 0) |
                                          (more_fragments ? ipv4_field::more_fragments : 0) |
                                          (offset & ipv4_field::fragment_offset)));
  }
  void set_ttl(std::uint8_t v) requires (!std::is_const_v<Byte>) { bytes_[ipv4_field::ttl] = v; }
  void set_protocol(std::uint8_t v) requires (!std::is_const_v<Byte>) { bytes_[ipv4_field::protocol] = v; }
  void set_source(ipv4_address a) requires (!std::is_const_v<Byte>) { a.write(bytes_, ipv4_field::source); }
  void set_destination(ipv4_address a) requires (!std::is_const_v<Byte>) { a.write(bytes_, ipv4_field::destination); }
  // Computes the header checksum over the header as it stands.
  void fill_checksum(); // over mutable bytes only

private:
  explicit basic_ipv4_packet(bytes_type b) : bytes_(b) {}
  std::uint16_t flags_fragment() const { return read_be16(bytes_, ipv4_field::flags_fragment); }
  bytes_type bytes_; // exactly total_len() bytes once checked
};

using ipv4_packet = basic_ipv4_packet<const std::uint8_t>;
using ipv4_packet_writer = basic_ipv4_packet<std::uint8_t>;

struct ipv4_repr {
  ipv4_address source;
  ipv4_address destination;
  std::uint8_t protocol = 0;
  std::uint8_t ttl = 64;
  std::uint8_t type_of_service = 0;
  std::uint16_t identification = 0;
  bool dont_fragment = false;
  bool more_fragments = false;
  std::uint16_t fragment_offset = 0;
  std::uint16_t payload_len = 0;

  // Refuses a header whose checksum does not verify.
  static parsed<ipv4_repr> parse(const ipv4_packet& packet);
  // Emitted headers carry no options.
  static constexpr std::size_t header_len() { return ipv4_packet::min_header_len; }
  void emit(byte_buffer out) const;
};

// The Internet checksum of a TCP or UDP `segment` over the IPv4
// pseudo-header (RFC 9293 §3.1, RFC 768): the value its checksum field
// holds when that field is 0 as summed, and 0 when the field it has is right.
std::uint16_t transport_checksum(byte_view segment, ipv4_address source, ipv4_address destination,
                                 std::uint8_t protocol);

} // namespace etherbeam::protocols
