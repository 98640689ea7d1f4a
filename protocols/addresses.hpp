#pragma once
// Link and network addresses as small value types, parsed from the text forms
// people type on command lines and in config files.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "protocols/bytes.hpp"

namespace etherbeam::protocols {

struct mac_address {
  std::array<std::uint8_t, 6> octets{};

  static mac_address read(byte_view b, std::size_t at);
  void write(byte_buffer b, std::size_t at) const;
  // "02:00:5e:10:00:01" (':' or '-' separators); nullopt when malformed.
  static std::optional<mac_address> from_string(std::string_view text);
  std::string to_string() const;

  bool is_broadcast() const;
  // I/G bit: group addresses (multicast and broadcast) are never valid sources.
  bool is_group() const { return (octets[0] & 0x01) != 0; }
  bool is_zero() const;
  friend bool operator==(const mac_address&, const mac_address&) = default;

  static constexpr mac_address broadcast() { return {{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}}; }
};

struct ipv4_address {
  std::uint32_t value = 0; // host order

  static ipv4_address read(byte_view b, std::size_t at);
  void write(byte_buffer b, std::size_t at) const;
  static std::optional<ipv4_address> from_string(std::string_view text);
  std::string to_string() const;

  bool is_limited_broadcast() const { return value == 0xffffffffu; }
  bool is_multicast() const { return (value >> 28) == 0xe; }
  bool is_unspecified() const { return value == 0; }
  friend auto operator<=>(const ipv4_address&, const ipv4_address&) = default;
};

// An address that etherbeam owns on its link, with the prefix of its subnet
// ("10.0.0.2/24"); the prefix decides which directed broadcast is ours.
struct ipv4_interface {
  ipv4_address address;
  std::uint8_t prefix_length = 32;

  static std::optional<ipv4_interface> from_string(std::string_view text);
  std::string to_string() const;
  std::uint32_t netmask() const;
  // Whether `a` lies on this interface's subnet.
  bool on_subnet(ipv4_address a) const { return (a.value & netmask()) == (address.value & netmask()); }
  ipv4_address directed_broadcast() const;
  friend bool operator==(const ipv4_interface&, const ipv4_interface&) = default;
};

} // namespace etherbeam::protocols
