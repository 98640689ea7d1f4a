#pragma once
// ARP for IPv4 over Ethernet (RFC 826). Other hardware/protocol pairs are refused
// with a reason rather than half-understood.
#include <cstdint>

#include "protocols/addresses.hpp"
#include "protocols/parse_result.hpp"

namespace etherbeam::protocols {

enum class arp_operation : std::uint16_t { request = 1, reply = 2 };

class arp_packet {
public:
  static constexpr std::size_t length = 28;

  static parsed<arp_packet> check(byte_view bytes);
  arp_packet() = default;

  std::uint16_t hardware_type() const { return read_be16(bytes_, 0); }
  std::uint16_t protocol_type() const { return read_be16(bytes_, 2); }
  std::uint8_t hardware_len() const { return bytes_[4]; }
  std::uint8_t protocol_len() const { return bytes_[5]; }
  std::uint16_t operation() const { return read_be16(bytes_, 6); }
  mac_address sender_hardware() const { return mac_address::read(bytes_, 8); }
  ipv4_address sender_protocol() const { return ipv4_address::read(bytes_, 14); }
  mac_address target_hardware() const { return mac_address::read(bytes_, 18); }
  ipv4_address target_protocol() const { return ipv4_address::read(bytes_, 24); }

private:
  explicit arp_packet(byte_view b) : bytes_(b) {}
  byte_view bytes_;
};

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
