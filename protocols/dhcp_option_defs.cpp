#include "protocols/dhcp_option_defs.hpp"

#include <algorithm>
#include <array>
#include <charconv>

#include "protocols/addresses.hpp"

namespace etherbeam::protocols {

namespace {

using type = dhcp_option_type;
using source = dhcp_option_source;

// RFC 2132 and later RFCs, as Kea names them (std_option_defs.h).
constexpr std::array defs{
  dhcp_option_def{1, "subnet_mask", type::address, source::server},
  dhcp_option_def{2, "time_offset", type::i32},
  dhcp_option_def{3, "routers", type::addresses},
  dhcp_option_def{4, "time_servers", type::addresses},
  dhcp_option_def{5, "name_servers", type::addresses},
  dhcp_option_def{6, "domain_name_servers", type::addresses},
  dhcp_option_def{7, "log_servers", type::addresses},
  dhcp_option_def{9, "lpr_servers", type::addresses},
  dhcp_option_def{12, "host_name", type::text},
  dhcp_option_def{13, "boot_size", type::u16},
  dhcp_option_def{15, "domain_name", type::text},
  dhcp_option_def{17, "root_path", type::text},
  dhcp_option_def{19, "ip_forwarding", type::boolean},
  dhcp_option_def{23, "default_ip_ttl", type::u8},
  dhcp_option_def{26, "interface_mtu", type::u16},
  dhcp_option_def{27, "all_subnets_local", type::boolean},
  dhcp_option_def{28, "broadcast_address", type::address, source::server},
  dhcp_option_def{33, "static_routes", type::address_pairs},
  dhcp_option_def{35, "arp_cache_timeout", type::u32},
  dhcp_option_def{37, "default_tcp_ttl", type::u8},
  dhcp_option_def{40, "nis_domain", type::text},
  dhcp_option_def{41, "nis_servers", type::addresses},
  dhcp_option_def{42, "ntp_servers", type::addresses},
  dhcp_option_def{43, "vendor_encapsulated_options", type::binary},
  dhcp_option_def{44, "netbios_name_servers", type::addresses},
  dhcp_option_def{46, "netbios_node_type", type::u8},
  dhcp_option_def{47, "netbios_scope", type::text},
  dhcp_option_def{50, "dhcp_requested_address", type::address, source::client},
  dhcp_option_def{51, "dhcp_lease_time", type::u32, source::server},
  dhcp_option_def{52, "dhcp_option_overload", type::u8, source::server},
  dhcp_option_def{53, "dhcp_message_type", type::u8, source::server},
  dhcp_option_def{54, "dhcp_server_identifier", type::address, source::server},
  dhcp_option_def{55, "dhcp_parameter_request_list", type::binary, source::client},
  dhcp_option_def{56, "dhcp_message", type::text, source::server},
  dhcp_option_def{57, "dhcp_max_message_size", type::u16, source::client},
  dhcp_option_def{58, "dhcp_renewal_time", type::u32, source::server},
  dhcp_option_def{59, "dhcp_rebinding_time", type::u32, source::server},
  dhcp_option_def{60, "vendor_class_identifier", type::text},
  dhcp_option_def{61, "dhcp_client_identifier", type::binary, source::client},
  dhcp_option_def{64, "nisplus_domain_name", type::text},
  dhcp_option_def{66, "tftp_server_name", type::text},
  dhcp_option_def{67, "boot_file_name", type::text},
  dhcp_option_def{69, "smtp_server", type::addresses},
  dhcp_option_def{70, "pop_server", type::addresses},
  dhcp_option_def{72, "www_server", type::addresses},
  dhcp_option_def{77, "user_class", type::binary, source::client},
  dhcp_option_def{82, "dhcp_agent_options", type::binary, source::client},
  dhcp_option_def{93, "client_system", type::u16_list, source::client},
  dhcp_option_def{94, "client_ndi", type::binary, source::client},
  dhcp_option_def{97, "uuid_guid", type::binary, source::client},
  dhcp_option_def{100, "pcode", type::text},
  dhcp_option_def{101, "tcode", type::text},
  dhcp_option_def{114, "v4_captive_portal", type::text},
  dhcp_option_def{119, "domain_search", type::domain_list},
  dhcp_option_def{121, "classless_static_route", type::classless_routes},
  dhcp_option_def{150, "tftp_server_address", type::addresses},
};

// Other names people write for a row.
struct alias {
  std::string_view name, row;
};
constexpr std::array aliases{alias{"dns_servers", "domain_name_servers"}, alias{"search_domains", "domain_search"},
                             alias{"classless_static_routes", "classless_static_route"}};

bool same_name(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i] == '-' ? '_' : a[i], y = b[i] == '-' ? '_' : b[i];
    if (x != y) return false;
  }
  return true;
}

using encoded = std::variant<std::vector<std::uint8_t>, std::string>;

std::string trim(std::string_view s) {
  auto b = s.find_first_not_of(" \t");
  if (b == std::string_view::npos) return {};
  auto e = s.find_last_not_of(" \t");
  return std::string(s.substr(b, e - b + 1));
}

std::optional<std::uint64_t> number(std::string_view s) {
  std::uint64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || end != s.data() + s.size()) return std::nullopt;
  return v;
}

void put_address(std::vector<std::uint8_t>& out, ipv4_address a) {
  std::array<std::uint8_t, 4> b;
  a.write(b, 0);
  out.insert(out.end(), b.begin(), b.end());
}

// RFC 1035 §3.1: length-prefixed labels of 1..63 bytes, a zero byte at the end.
std::optional<std::string> put_domain(std::vector<std::uint8_t>& out, std::string_view name) {
  if (!name.empty() && name.back() == '.') name.remove_suffix(1);
  if (name.empty()) return "an empty domain name";
  std::size_t start = out.size();
  while (!name.empty()) {
    auto dot = name.find('.');
    auto label = name.substr(0, dot);
    if (label.empty() || label.size() > 63) return "a label of 1 to 63 characters between dots";
    out.push_back(static_cast<std::uint8_t>(label.size()));
    out.insert(out.end(), label.begin(), label.end());
    name = dot == std::string_view::npos ? std::string_view{} : name.substr(dot + 1);
  }
  out.push_back(0);
  if (out.size() - start > 255) return "a name of at most 255 bytes";
  return std::nullopt;
}

// RFC 3442: prefix length, the significant octets of the destination, router.
std::optional<std::string> put_route(std::vector<std::uint8_t>& out, const std::string& text) {
  auto slash = text.find('/');
  auto gap = text.find_first_of(" \t", slash == std::string::npos ? 0 : slash);
  if (slash == std::string::npos || gap == std::string::npos) return "PREFIX/LEN via ROUTER";
  auto network = ipv4_interface::from_string(text.substr(0, gap));
  auto rest = trim(text.substr(gap));
  if (rest.starts_with("via ")) rest = trim(rest.substr(4));
  else if (rest.starts_with("- ")) rest = trim(rest.substr(2)); // Kea writes "10.1.0.0/16 - 10.77.0.1"
  auto router = ipv4_address::from_string(rest);
  if (!network || !router) return "PREFIX/LEN via ROUTER";
  auto mask = network->netmask();
  if ((network->address.value & ~mask) != 0) return "a prefix with no host bits set (" + text + ")";
  out.push_back(network->prefix_length);
  std::array<std::uint8_t, 4> dest;
  network->address.write(dest, 0);
  out.insert(out.end(), dest.begin(), dest.begin() + (network->prefix_length + 7) / 8);
  put_address(out, *router);
  return std::nullopt;
}

std::optional<std::vector<std::uint8_t>> hex(std::string_view s) {
  std::vector<std::uint8_t> out;
  std::string digits;
  for (char c : s)
    if (c != ':' && c != ' ' && c != '-') digits += c;
  if (digits.starts_with("0x")) digits.erase(0, 2);
  if (digits.empty() || digits.size() % 2) return std::nullopt;
  for (std::size_t i = 0; i < digits.size(); i += 2) {
    std::uint8_t b = 0;
    auto [end, ec] = std::from_chars(digits.data() + i, digits.data() + i + 2, b, 16);
    if (ec != std::errc{} || end != digits.data() + i + 2) return std::nullopt;
    out.push_back(b);
  }
  return out;
}

encoded encode_scalar(type t, const std::string& item) {
  std::vector<std::uint8_t> out;
  auto n = number(item);
  switch (t) {
    case type::u8:
      if (!n || *n > 0xff) return std::string("a number 0..255");
      out.push_back(static_cast<std::uint8_t>(*n));
      return out;
    case type::u16:
      if (!n || *n > 0xffff) return std::string("a number 0..65535");
      out.resize(2);
      write_be16(out, 0, static_cast<std::uint16_t>(*n));
      return out;
    case type::u32:
      if (!n || *n > 0xffffffffu) return std::string("a number 0..4294967295");
      out.resize(4);
      write_be32(out, 0, static_cast<std::uint32_t>(*n));
      return out;
    case type::i32: {
      std::int64_t v = 0;
      auto [end, ec] = std::from_chars(item.data(), item.data() + item.size(), v);
      if (ec != std::errc{} || end != item.data() + item.size() || v < INT32_MIN || v > INT32_MAX)
        return std::string("a signed 32-bit number");
      out.resize(4);
      write_be32(out, 0, static_cast<std::uint32_t>(static_cast<std::int32_t>(v)));
      return out;
    }
    case type::boolean:
      if (item == "true" || item == "1") return std::vector<std::uint8_t>{1};
      if (item == "false" || item == "0") return std::vector<std::uint8_t>{0};
      return std::string("true or false");
    case type::text:
      if (item.empty()) return std::string("a non-empty text");
      return std::vector<std::uint8_t>(item.begin(), item.end());
    case type::fqdn:
      if (auto e = put_domain(out, item)) return *e;
      return out;
    case type::binary:
      if (auto h = hex(item)) return *h;
      return std::string("hex bytes like 0a0b0c or 0a:0b:0c");
    default: return std::string("?");
  }
}

} // namespace

std::span<const dhcp_option_def> dhcp_option_defs() { return defs; }

const dhcp_option_def* find_dhcp_option(std::string_view name) {
  for (const auto& a : aliases)
    if (same_name(a.name, name)) name = a.row;
  for (const auto& d : defs)
    if (same_name(d.name, name)) return &d;
  return nullptr;
}

const dhcp_option_def* find_dhcp_option(std::uint8_t code) {
  for (const auto& d : defs)
    if (d.code == code) return &d;
  return nullptr;
}

std::string_view to_string(dhcp_option_type t) {
  switch (t) {
    case type::address: return "an IPv4 address";
    case type::addresses: return "a list of IPv4 addresses";
    case type::address_pairs: return "a list of address pairs";
    case type::u8: return "a number 0..255";
    case type::u16: return "a number 0..65535";
    case type::u32: return "a number 0..4294967295";
    case type::i32: return "a signed 32-bit number";
    case type::u16_list: return "a list of numbers 0..65535";
    case type::boolean: return "true or false";
    case type::text: return "a text";
    case type::fqdn: return "a domain name";
    case type::domain_list: return "a list of domain names";
    case type::classless_routes: return "a list of \"PREFIX/LEN via ROUTER\"";
    case type::binary: return "hex bytes";
  }
  return "?";
}

std::variant<std::vector<std::uint8_t>, std::string> encode_dhcp_option(const dhcp_option_def& def,
                                                                         std::span<const std::string> items) {
  std::vector<std::uint8_t> out;
  bool list = def.type == type::addresses || def.type == type::address_pairs || def.type == type::u16_list ||
              def.type == type::domain_list || def.type == type::classless_routes;
  if (items.empty()) return std::string("a value");
  if (!list) {
    if (items.size() != 1) return std::string("one value, not a list");
    return encode_scalar(def.type, trim(items[0]));
  }
  if (def.type == type::address_pairs && items.size() % 2) return std::string("addresses in pairs");
  for (const auto& raw : items) {
    auto item = trim(raw);
    switch (def.type) {
      case type::addresses:
      case type::address_pairs: {
        auto a = ipv4_address::from_string(item);
        if (!a) return "'" + item + "' is not an IPv4 address";
        put_address(out, *a);
        break;
      }
      case type::u16_list: {
        auto n = number(item);
        if (!n || *n > 0xffff) return "'" + item + "' is not a number 0..65535";
        out.push_back(static_cast<std::uint8_t>(*n >> 8));
        out.push_back(static_cast<std::uint8_t>(*n));
        break;
      }
      case type::domain_list:
        if (auto e = put_domain(out, item)) return "'" + item + "': " + *e;
        break;
      case type::classless_routes:
        if (auto e = put_route(out, item)) return "'" + item + "': write " + *e;
        break;
      default: break;
    }
  }
  return out;
}

namespace {

std::optional<std::string> read_domain(byte_view v, std::size_t& at) {
  std::string name;
  while (at < v.size()) {
    std::size_t len = v[at++];
    if (len == 0) return name.empty() ? "." : name;
    if (len > 63 || at + len > v.size()) return std::nullopt; // compression pointers are not ours to follow
    if (!name.empty()) name += '.';
    name.append(reinterpret_cast<const char*>(v.data() + at), len);
    at += len;
  }
  return std::nullopt;
}

std::string join(const std::vector<std::string>& parts) {
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : ", ") + p;
  return out;
}

} // namespace

std::optional<std::string> decode_dhcp_option(const dhcp_option_def& def, byte_view v) {
  std::vector<std::string> parts;
  switch (def.type) {
    case type::address:
      if (v.size() != 4) return std::nullopt;
      return ipv4_address::read(v, 0).to_string();
    case type::addresses:
    case type::address_pairs:
      if (v.empty() || v.size() % 4) return std::nullopt;
      for (std::size_t i = 0; i < v.size(); i += 4) parts.push_back(ipv4_address::read(v, i).to_string());
      return join(parts);
    case type::u8:
      if (v.size() != 1) return std::nullopt;
      return std::to_string(v[0]);
    case type::u16:
      if (v.size() != 2) return std::nullopt;
      return std::to_string(read_be16(v, 0));
    case type::u32:
      if (v.size() != 4) return std::nullopt;
      return std::to_string(read_be32(v, 0));
    case type::i32:
      if (v.size() != 4) return std::nullopt;
      return std::to_string(static_cast<std::int32_t>(read_be32(v, 0)));
    case type::u16_list:
      if (v.empty() || v.size() % 2) return std::nullopt;
      for (std::size_t i = 0; i < v.size(); i += 2) parts.push_back(std::to_string(read_be16(v, i)));
      return join(parts);
    case type::boolean:
      if (v.size() != 1 || v[0] > 1) return std::nullopt;
      return v[0] ? "true" : "false";
    case type::text:
      for (auto b : v)
        if (b < 0x20 || b > 0x7e) return std::nullopt;
      return std::string(reinterpret_cast<const char*>(v.data()), v.size());
    case type::fqdn:
    case type::domain_list: {
      std::size_t at = 0;
      while (at < v.size()) {
        auto name = read_domain(v, at);
        if (!name) return std::nullopt;
        parts.push_back(*name);
      }
      if (parts.empty() || (def.type == type::fqdn && parts.size() != 1)) return std::nullopt;
      return join(parts);
    }
    case type::classless_routes: {
      for (std::size_t at = 0; at < v.size();) {
        std::size_t len = v[at++];
        std::size_t octets = (len + 7) / 8;
        if (len > 32 || at + octets + 4 > v.size()) return std::nullopt;
        std::array<std::uint8_t, 4> dest{};
        std::copy_n(v.begin() + static_cast<std::ptrdiff_t>(at), octets, dest.begin());
        at += octets;
        parts.push_back(ipv4_address::read(dest, 0).to_string() + "/" + std::to_string(len) + " via " +
                        ipv4_address::read(v, at).to_string());
        at += 4;
      }
      return join(parts);
    }
    case type::binary: break;
  }
  return std::nullopt;
}

} // namespace etherbeam::protocols
