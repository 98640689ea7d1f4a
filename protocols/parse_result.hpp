#pragma once
// Parsing never throws: it yields a value or the reason the bytes were refused.
// The reasons double as drop-counter names, so they are named for the operator.
#include <cstdint>
#include <string_view>
#include <utility>

namespace etherbeam::protocols {

enum class parse_error : std::uint8_t {
  truncated,              // buffer shorter than the header or length it claims
  bad_length,             // a length field contradicts itself or the buffer
  bad_checksum,
  unsupported_version,    // e.g. IPv4 header whose version is not 4
  unsupported_hardware,   // ARP for a link type other than Ethernet
  unsupported_protocol,   // ARP for a protocol other than IPv4
  bad_operation,          // ARP opcode, BOOTP op: neither request nor reply
  too_many_vlan_tags,     // more than two stacked 802.1Q/802.1ad tags
  bad_magic_cookie,       // DHCP: not 99.130.83.99 after the BOOTP header
  bad_option_length,      // DHCP: an option runs past its area, or a value's size is wrong
  bad_overload,           // DHCP: option 52 is not one byte of 1, 2 or 3
  not_dhcp,               // BOOTP without a DHCP message type (option 53)
  bad_message_type,       // DHCP: option 53 is not one byte in 1..8
  count_                  // number of reasons; keep last
};

std::string_view to_string(parse_error e);

// A parsed value or the reason parsing failed. T must be default-constructible
// (reprs are plain structs), which keeps this free of heap and exceptions.
template <class T> class parsed {
public:
  parsed(T value) : value_(std::move(value)) {}
  parsed(parse_error error) : error_(error), ok_(false) {}

  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  parse_error error() const { return error_; }
  const T& value() const { return value_; }
  const T& operator*() const { return value_; }
  const T* operator->() const { return &value_; }

private:
  T value_{};
  parse_error error_{};
  bool ok_ = true;
};

} // namespace etherbeam::protocols
