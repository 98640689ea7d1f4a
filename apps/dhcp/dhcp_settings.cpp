#include "apps/dhcp/dhcp_settings.hpp"

#include <algorithm>

namespace etherbeam::apps::dhcp {

using namespace protocols;

client_key client_key_of(const mac_address& mac) {
  client_key key(1 + mac.octets.size());
  key[0] = 1; // hardware type 1: Ethernet, as in option 61's usual form
  std::copy(mac.octets.begin(), mac.octets.end(), key.begin() + 1);
  return key;
}

client_key client_key_of(const dhcp_repr& message) {
  if (!message.client_identifier.empty()) {
    auto id = message.client_identifier.view();
    return {id.begin(), id.end()};
  }
  return client_key_of(message.client_hardware);
}

std::string hex_digits(std::string_view bytes) {
  static const char digits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out += digits[c >> 4];
    out += digits[c & 0xf];
  }
  return out;
}

std::string to_hex(const client_key& key) {
  static const char digits[] = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < key.size(); ++i) {
    if (i) out += ':';
    out += digits[key[i] >> 4];
    out += digits[key[i] & 0xf];
  }
  return out;
}

bool dhcp_reservation::matches(const client_key& key, const mac_address& m) const {
  if (!client_id.empty()) return client_id == key;
  return mac && *mac == m;
}

namespace {

// Option 77 is either the text itself (iPXE sends "iPXE" so) or, per RFC
// 3004, a list of length-prefixed user classes; either may hold `wanted`.
bool user_class_holds(std::string_view option, std::string_view wanted) {
  if (option == wanted) return true;
  for (std::size_t i = 0; i < option.size();) {
    std::size_t len = static_cast<unsigned char>(option[i]);
    if (len == 0 || i + 1 + len > option.size()) return false;
    if (option.substr(i + 1, len) == wanted) return true;
    i += 1 + len;
  }
  return false;
}

bool architecture_among(byte_view option, const std::vector<std::uint16_t>& wanted) {
  for (std::size_t i = 0; i + 2 <= option.size(); i += 2)
    if (std::find(wanted.begin(), wanted.end(), read_be16(option, i)) != wanted.end()) return true;
  return false;
}

} // namespace

bool client_class::matches(const dhcp_repr& m) const {
  if (!vendor_class_prefix.empty() && !m.vendor_class.text().starts_with(vendor_class_prefix)) return false;
  if (!user_class.empty() && !user_class_holds(m.user_class.text(), user_class)) return false;
  if (!architectures.empty() && !architecture_among(m.client_system.view(), architectures)) return false;
  return true;
}

bool dhcp_subnet::contains(ipv4_address a) const {
  return network.on_subnet(a);
}

bool dhcp_subnet::in_pool(ipv4_address a) const {
  return std::any_of(pools.begin(), pools.end(), [&](const address_range& r) { return r.contains(a); });
}

bool dhcp_subnet::is_excluded(ipv4_address a) const {
  return std::find(excluded.begin(), excluded.end(), a) != excluded.end();
}

const dhcp_reservation* dhcp_subnet::reservation_for(const client_key& key, const mac_address& mac) const {
  for (const auto& r : reservations)
    if (r.matches(key, mac)) return &r;
  return nullptr;
}

const dhcp_reservation* dhcp_subnet::reservation_of(ipv4_address a) const {
  for (const auto& r : reservations)
    if (r.address == a) return &r;
  return nullptr;
}

const dhcp_subnet* dhcp_settings::subnet_containing(ipv4_address a) const {
  for (const auto& s : subnets)
    if (s.contains(a)) return &s;
  return nullptr;
}

} // namespace etherbeam::apps::dhcp
