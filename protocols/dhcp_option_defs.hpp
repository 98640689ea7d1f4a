#pragma once
// The DHCPv4 option definitions, one row per option as Kea's std_option_defs.h
// has them: code, name, value type. The table drives the config keys (a
// subnet's `routers = [...]`), the encoding of configured values, and the
// decoding of values for people (lease listings, the packet decoder). Names
// are Kea's with '_' for '-' (both are accepted). Pure.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "protocols/bytes.hpp"

namespace etherbeam::protocols {

enum class dhcp_option_type : std::uint8_t {
  address,          // one IPv4 address
  addresses,        // one or more
  address_pairs,    // pairs of addresses (option 33: destination, router)
  u8,
  u16,
  u32,
  i32,
  u16_list,         // e.g. client architectures (option 93)
  boolean,
  text,             // NVT ASCII, no terminating NUL
  fqdn,             // one domain name, RFC 1035 encoding
  domain_list,      // domain names, RFC 1035 encoding (option 119, RFC 3397)
  classless_routes, // "PREFIX via ROUTER" each (option 121, RFC 3442)
  binary,           // hex
};

// Who sets an option: the server itself (never configured), the
// configuration, or the client only (defined for decoding and classes).
enum class dhcp_option_source : std::uint8_t { server, configured, client };

struct dhcp_option_def {
  std::uint8_t code;
  std::string_view name;
  dhcp_option_type type;
  dhcp_option_source source = dhcp_option_source::configured;
};

std::span<const dhcp_option_def> dhcp_option_defs();
// By name (either separator: "domain-search" or "domain_search") or alias
// ("dns_servers"), or by code.
const dhcp_option_def* find_dhcp_option(std::string_view name);
const dhcp_option_def* find_dhcp_option(std::uint8_t code);
std::string_view to_string(dhcp_option_type t);

// A configured value to its bytes: `items` are the value's parts as written
// (one for a single value, one per address, domain or route for a list).
// Gives the bytes, or what is wrong with the value for a person to fix.
std::variant<std::vector<std::uint8_t>, std::string> encode_dhcp_option(const dhcp_option_def& def,
                                                                         std::span<const std::string> items);
// A value as a person reads it ("10.0.0.1, 10.0.0.2", "lab.example, example");
// nullopt when the bytes do not fit the type (then show them as hex).
std::optional<std::string> decode_dhcp_option(const dhcp_option_def& def, byte_view value);

} // namespace etherbeam::protocols
