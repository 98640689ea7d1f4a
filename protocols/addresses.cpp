#include "protocols/addresses.hpp"

#include <charconv>
#include <cstdio>

namespace etherbeam::protocols {
namespace {

std::optional<unsigned> parse_unsigned(std::string_view text, int base, unsigned max) {
  unsigned v = 0;
  if (text.empty()) return std::nullopt;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v, base);
  if (ec != std::errc{} || end != text.data() + text.size() || v > max) return std::nullopt;
  return v;
}

} // namespace

mac_address mac_address::read(byte_view b, std::size_t at) {
  mac_address m;
  for (std::size_t i = 0; i < 6; ++i) m.octets[i] = b[at + i];
  return m;
}

void mac_address::write(byte_buffer b, std::size_t at) const {
  for (std::size_t i = 0; i < 6; ++i) b[at + i] = octets[i];
}

std::optional<mac_address> mac_address::from_string(std::string_view text) {
  if (text.size() != 17) return std::nullopt;
  mac_address m;
  for (std::size_t i = 0; i < 6; ++i) {
    if (i > 0 && text[i * 3 - 1] != ':' && text[i * 3 - 1] != '-') return std::nullopt;
    auto octet = parse_unsigned(text.substr(i * 3, 2), 16, 0xff);
    if (!octet) return std::nullopt;
    m.octets[i] = static_cast<std::uint8_t>(*octet);
  }
  return m;
}

std::string mac_address::to_string() const {
  char s[18];
  std::snprintf(s, sizeof s, "%02x:%02x:%02x:%02x:%02x:%02x", octets[0], octets[1],
                octets[2], octets[3], octets[4], octets[5]);
  return s;
}

bool mac_address::is_broadcast() const { return *this == broadcast(); }

bool mac_address::is_zero() const {
  for (auto o : octets)
    if (o != 0) return false;
  return true;
}

ipv4_address ipv4_address::read(byte_view b, std::size_t at) { return {read_be32(b, at)}; }

void ipv4_address::write(byte_buffer b, std::size_t at) const { write_be32(b, at, value); }

std::optional<ipv4_address> ipv4_address::from_string(std::string_view text) {
  std::uint32_t v = 0;
  for (int i = 0; i < 4; ++i) {
    auto dot = text.find('.');
    if ((i < 3) != (dot != std::string_view::npos)) return std::nullopt;
    auto part = text.substr(0, dot);
    // Leading zeros are refused: "010" means octal to some tools, decimal to others.
    if (part.size() > 1 && part[0] == '0') return std::nullopt;
    auto octet = parse_unsigned(part, 10, 255);
    if (!octet) return std::nullopt;
    v = (v << 8) | *octet;
    text = dot == std::string_view::npos ? std::string_view{} : text.substr(dot + 1);
  }
  return ipv4_address{v};
}

std::string ipv4_address::to_string() const {
  char s[16];
  std::snprintf(s, sizeof s, "%u.%u.%u.%u", value >> 24, (value >> 16) & 0xff,
                (value >> 8) & 0xff, value & 0xff);
  return s;
}

std::optional<ipv4_interface> ipv4_interface::from_string(std::string_view text) {
  auto slash = text.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  auto address = ipv4_address::from_string(text.substr(0, slash));
  auto prefix = parse_unsigned(text.substr(slash + 1), 10, 32);
  if (!address || !prefix) return std::nullopt;
  return ipv4_interface{*address, static_cast<std::uint8_t>(*prefix)};
}

std::string ipv4_interface::to_string() const {
  return address.to_string() + "/" + std::to_string(prefix_length);
}

std::uint32_t ipv4_interface::netmask() const {
  return prefix_length == 0 ? 0 : ~std::uint32_t{0} << (32 - prefix_length);
}

ipv4_address ipv4_interface::directed_broadcast() const {
  return {address.value | ~netmask()};
}

} // namespace etherbeam::protocols
