#pragma once
// Reading typed values out of a parsed TOML config, with errors that name the
// file, the line and the setting.
#include <filesystem>
#include <string>

#include <stdexcept>

#include <toml++/toml.h>

#include "protocols/addresses.hpp"

namespace etherbeam::server {

// A configuration the user must fix; the message names the entry and the fix.
struct config_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// The address forms accepted by --ip and stack.addresses.
inline protocols::ipv4_interface parse_owned_address(const std::string& text, const std::string& where) {
  auto a = protocols::ipv4_interface::from_string(text);
  if (!a)
    throw config_error(where + ": '" + text + "' is not an IPv4 address with a prefix length " +
                       "(write it like 10.0.0.2/24)");
  if (a->address.is_unspecified() || a->address.is_multicast() || a->address.is_limited_broadcast())
    throw config_error(where + ": " + text + " cannot be owned by a host");
  return *a;
}

inline protocols::mac_address parse_mac(const std::string& text, const std::string& where) {
  auto m = protocols::mac_address::from_string(text);
  if (!m) throw config_error(where + ": '" + text + "' is not a MAC address (write it like 02:00:00:00:00:01)");
  if (m->is_group() || m->is_zero())
    throw config_error(where + ": " + text + " is a group or zero address; a host MAC must be unicast");
  return *m;
}

// RFC 791: every host takes 68-byte packets; IPv4's length field stops at 65,535.
inline std::uint16_t parse_mtu(std::int64_t value, const std::string& where) {
  if (value < 68 || value > 65535)
    throw config_error(where + ": MTU " + std::to_string(value) + " is outside 68..65535 (Ethernet's is 1500)");
  return static_cast<std::uint16_t>(value);
}

} // namespace etherbeam::server

namespace etherbeam::server::toml_reading {

inline std::string at(const std::filesystem::path& file, const toml::node& node) {
  return "config " + file.string() + " line " + std::to_string(node.source().begin.line);
}

template <class T>
T require(const toml::node& node, const std::filesystem::path& file, const std::string& key,
          const char* expected) {
  auto v = node.value<T>();
  if (!v) throw config_error(at(file, node) + ": " + key + " must be " + expected);
  return *v;
}

// Calls f(item, where) for each element of an array setting.
template <class F>
void for_each_item(const toml::node& node, const std::filesystem::path& file, const std::string& key, F&& f) {
  auto* list = node.as_array();
  if (!list) throw config_error(at(file, node) + ": " + key + " must be a list");
  for (std::size_t i = 0; i < list->size(); ++i) {
    auto& item = *list->get(i);
    f(item, at(file, item) + ": " + key + "[" + std::to_string(i) + "]");
  }
}

} // namespace etherbeam::server::toml_reading
