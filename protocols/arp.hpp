#pragma once
// ARP for IPv4 over Ethernet (RFC 826). Other hardware/protocol pairs are refused
// with a reason rather than half-understood.
#include <cstdint>
#include <span>
#include <type_traits>

#include "protocols/addresses.hpp"
#include "protocols/parse_result.hpp"

namespace etherbeam::protocols {

enum class arp_operation : std::uint16_t { request = 1, reply = 2 };

// Where each field sits (RFC 826, for Ethernet and IPv4): named once, for
// the view's getters and its setters alike.
namespace arp_field {
inline constexpr std::size_t hardware_type = 0, protocol_type = 2, hardware_len = 4, protocol_len = 5,
                             operation = 6, sender_hardware = 8, sender_protocol = 14, target_hardware = 18,
                             target_protocol = 24;
} // namespace arp_field

// A view over an ARP packet: arp_packet reads a checked one; arp_packet_writer
// (over a mutable buffer) also writes its fields.
template <class Byte>
class basic_arp_packet {
public:
  static constexpr std::size_t length = 28;
  using bytes_type = std::span<Byte>;

  static parsed<basic_arp_packet> check(bytes_type bytes);
  static basic_arp_packet new_unchecked(bytes_type bytes) { return basic_arp_packet{bytes}; }
  basic_arp_packet() = default;

  std::uint16_t hardware_type() const { return read_be16(bytes_, arp_field::hardware_type); }
  std::uint16_t protocol_type() const { return read_be16(bytes_, arp_field::protocol_type); }
  std::uint8_t hardware_len() const { return bytes_[arp_field::hardware_len]; }
  std::uint8_t protocol_len() const { return bytes_[arp_field::protocol_len]; }
  std::uint16_t operation() const { return read_be16(bytes_, arp_field::operation); }
  mac_address sender_hardware() const { return mac_address::read(bytes_, arp_field::sender_hardware); }
  ipv4_address sender_protocol() const { return ipv4_address::read(bytes_, arp_field::sender_protocol); }
  mac_address target_hardware() const { return mac_address::read(bytes_, arp_field::target_hardware); }
  ipv4_address target_protocol() const { return ipv4_address::read(bytes_, arp_field::target_protocol); }

  void set_hardware(std::uint16_t type, std::uint8_t len) requires (!std::is_const_v<Byte>) {
    write_be16(bytes_, arp_field::hardware_type, type);
    bytes_[arp_field::hardware_len] = len;
  }
  void set_protocol(std::uint16_t type, std::uint8_t len) requires (!std::is_const_v<Byte>) {
    write_be16(bytes_, arp_field::protocol_type, type);
    bytes_[arp_field::protocol_len] = len;
  }
  void set_operation(std::uint16_t v) requires (!std::is_const_v<Byte>) { write_be16(bytes_, arp_field::operation, v); }
  void set_sender(const mac_address& m, ipv4_address a) requires (!std::is_const_v<Byte>) {
    m.write(bytes_, arp_field::sender_hardware);
    a.write(bytes_, arp_field::sender_protocol);
  }
  void set_target(const mac_address& m, ipv4_address a) requires (!std::is_const_v<Byte>) {
    m.write(bytes_, arp_field::target_hardware);
    a.write(bytes_, arp_field::target_protocol);
  }

private:
  explicit basic_arp_packet(bytes_type b) : bytes_(b) {}
  bytes_type bytes_;
};

using arp_packet = basic_arp_packet<const std::uint8_t>;
using arp_packet_writer = basic_arp_packet<std::uint8_t>;

struct arp_repr {
  arp_operation operation = arp_operation::request;
  mac_address sender_hardware;
  ipv4_address sender_protocol;
  mac_address target_hardware;
  ipv4_address target_protocol;

  static parsed<arp_repr> parse(const arp_packet& packet);
  static constexpr std::size_t buffer_len() { return arp_packet::length; }
  void emit(byte_buffer out) const;
};

} // namespace etherbeam::protocols
