#include "apps/dhcp/dhcp_config_file.hpp"

#include <charconv>
#include <optional>
#include <variant>

#include "protocols/dhcp_option_defs.hpp"

#include "server/config_reading.hpp"

namespace etherbeam::apps::dhcp {

using namespace protocols;
using server::config_error;
using server::parse_mac;
namespace toml_reading = server::toml_reading;
using toml_reading::at;
using toml_reading::for_each_item;
using toml_reading::require;

namespace {

ipv4_address parse_address(const std::string& text, const std::string& where) {
  auto a = ipv4_address::from_string(text);
  if (!a) throw config_error(where + ": '" + text + "' is not an IPv4 address (write it like 10.0.0.1)");
  return *a;
}

std::vector<std::uint8_t> parse_hex(const std::string& text, const std::string& where) {
  std::string digits;
  for (char c : text)
    if (c != ':' && c != ' ') digits += c;
  auto refuse = [&] {
    return config_error(where + ": '" + text + "' is not hex bytes (write it like 01:02:0a or 01020a)");
  };
  if (digits.empty() || digits.size() % 2) throw refuse();
  std::vector<std::uint8_t> out;
  for (std::size_t i = 0; i < digits.size(); i += 2) {
    unsigned v = 0;
    auto [end, ec] = std::from_chars(digits.data() + i, digits.data() + i + 2, v, 16);
    if (ec != std::errc{} || end != digits.data() + i + 2) throw refuse();
    out.push_back(static_cast<std::uint8_t>(v));
  }
  return out;
}

std::uint32_t seconds(const toml::node& node, const std::filesystem::path& file, const std::string& key) {
  auto v = require<std::int64_t>(node, file, key, "a number of seconds");
  if (v <= 0 || v > 0xffffffffLL) throw config_error(at(file, node) + ": " + key + " must be positive");
  return static_cast<std::uint32_t>(v);
}

// A TOML value (a string, number, boolean, or an array of them) as the parts
// encode_dhcp_option reads.
std::vector<std::string> value_items(const toml::node& node, const std::string& where) {
  auto one = [&](const toml::node& n) -> std::string {
    if (auto s = n.value<std::string>(); s && n.is_string()) return *s;
    if (auto i = n.value<std::int64_t>(); i && n.is_integer()) return std::to_string(*i);
    if (auto b = n.value<bool>(); b && n.is_boolean()) return *b ? "true" : "false";
    throw config_error(where + ": a value must be a string, a number, true or false, or a list of them");
  };
  std::vector<std::string> items;
  if (auto* list = node.as_array()) {
    for (auto& item : *list) items.push_back(one(item));
  } else {
    items.push_back(one(node));
  }
  return items;
}

// An option the table defines, with its value, checked and encoded now so
// that a mistake stops the server at start with the entry named.
raw_option encode_option(const dhcp_option_def& def, const std::vector<std::string>& items,
                         const std::string& where) {
  if (def.source == dhcp_option_source::server)
    throw config_error(where + ": option " + std::string(def.name) + " (" + std::to_string(def.code) +
                       ") is set by the server itself (lease times: lease_time, renewal_time, rebinding_time)");
  if (def.source == dhcp_option_source::client)
    throw config_error(where + ": option " + std::string(def.name) + " (" + std::to_string(def.code) +
                       ") is one clients send, not servers");
  auto value = encode_dhcp_option(def, items);
  if (auto* why = std::get_if<std::string>(&value))
    throw config_error(where + ": " + std::string(def.name) + " must be " + std::string(to_string(def.type)) +
                       ": " + *why);
  return {def.code, std::get<std::vector<std::uint8_t>>(value)};
}

// `options` keeps one value per code: a later setting replaces an earlier one.
void set_option(std::vector<raw_option>& options, raw_option o) {
  std::erase_if(options, [&](const raw_option& x) { return x.code == o.code; });
  options.push_back(std::move(o));
}

// A key that names an option in the table (`routers = ["10.0.0.1"]`).
bool option_key(std::vector<raw_option>& options, const std::string& key, const toml::node& node,
                const std::string& here) {
  const auto* def = find_dhcp_option(key);
  if (!def) return false;
  if (auto* list = node.as_array(); list && list->empty()) { // `ntp_servers = []`: none
    std::erase_if(options, [&](const raw_option& x) { return x.code == def->code; });
    return true;
  }
  set_option(options, encode_option(*def, value_items(node, here), here));
  return true;
}

// The boot fields a subnet or a class sets.
bool boot_key(boot_settings& boot, const std::string& key, const toml::node& node, const std::filesystem::path& file,
              const std::string& here) {
  if (key == "next_server") {
    boot.next_server = parse_address(require<std::string>(node, file, key, "an address string"), here);
  } else if (key == "server_name") {
    boot.server_name = require<std::string>(node, file, key, "a string");
    if (boot.server_name.size() > dhcp_packet::sname_len - 1)
      throw config_error(here + ": at most " + std::to_string(dhcp_packet::sname_len - 1) + " characters");
  } else if (key == "boot_file") {
    boot.boot_file = require<std::string>(node, file, key, "a string");
    if (boot.boot_file.size() > dhcp_packet::file_len - 1)
      throw config_error(here + ": at most " + std::to_string(dhcp_packet::file_len - 1) +
                         " characters (longer names go in option boot_file_name)");
  } else {
    return false;
  }
  return true;
}

dhcp_reservation load_reservation(const toml::table& t, const std::filesystem::path& file,
                                  const std::string& where) {
  dhcp_reservation r;
  bool has_address = false;
  for (auto&& [key, node] : t) {
    std::string k{key.str()};
    auto here = at(file, node) + ": reservation." + k;
    if (k == "mac") r.mac = parse_mac(require<std::string>(node, file, k, "a MAC string"), here);
    else if (k == "client_id") r.client_id = parse_hex(require<std::string>(node, file, k, "hex bytes"), here);
    else if (k == "address") {
      r.address = parse_address(require<std::string>(node, file, k, "an address string"), here);
      has_address = true;
    } else if (k == "host_name") r.host_name = require<std::string>(node, file, k, "a string");
    else throw config_error(here + ": unknown setting (known: mac, client_id, address, host_name)");
  }
  if (!has_address) throw config_error(where + ": a reservation needs an address");
  if (r.mac.has_value() == !r.client_id.empty())
    throw config_error(where + ": a reservation names its client by exactly one of mac or client_id");
  return r;
}

// [[...option]]: by `name` (or `code`) with `data` read as the table's type
// says, or by `code` with a raw `hex` or `text` value for options the table
// does not know.
raw_option load_option(const toml::table& t, const std::filesystem::path& file, const std::string& where) {
  const dhcp_option_def* def = nullptr;
  std::optional<std::uint8_t> code;
  std::optional<std::vector<std::string>> data;
  std::optional<std::vector<std::uint8_t>> raw;
  for (auto&& [key, node] : t) {
    std::string k{key.str()};
    auto here = at(file, node) + ": option." + k;
    if (k == "name") {
      auto name = require<std::string>(node, file, k, "an option name");
      def = find_dhcp_option(name);
      if (!def) throw config_error(here + ": no option is named '" + name + "' (see docs/DHCP_OPTIONS.md)");
    } else if (k == "code") {
      auto c = require<std::int64_t>(node, file, k, "a number");
      if (c < 1 || c > 254) throw config_error(here + ": code must be 1..254");
      code = static_cast<std::uint8_t>(c);
    } else if (k == "data") {
      data = value_items(node, here);
    } else if (k == "hex") {
      raw = parse_hex(require<std::string>(node, file, k, "hex bytes"), here);
    } else if (k == "text") {
      auto s = require<std::string>(node, file, k, "a string");
      raw = std::vector<std::uint8_t>(s.begin(), s.end());
    } else {
      throw config_error(here + ": unknown setting (known: name, code, data, hex, text)");
    }
  }
  if (def && code && def->code != *code)
    throw config_error(where + ": option " + std::string(def->name) + " is code " + std::to_string(def->code) +
                       ", not " + std::to_string(*code));
  if (!def && code) def = find_dhcp_option(*code);
  if (!def && !code) throw config_error(where + ": an option needs a name (or a code)");
  if (data.has_value() == raw.has_value())
    throw config_error(where + ": an option needs exactly one of data (as its type says), hex or text");
  if (data) {
    if (!def) throw config_error(where + ": option " + std::to_string(*code) + " has no definition; give hex or text");
    return encode_option(*def, *data, where);
  }
  std::uint8_t c = def ? def->code : *code;
  if (def && def->source != dhcp_option_source::configured) encode_option(*def, {"?"}, where); // says why not
  if (c == dhcp_option_code::overload || c == dhcp_option_code::message_type)
    throw config_error(where + ": option " + std::to_string(c) + " is set by the server itself");
  if (raw->empty()) throw config_error(where + ": an option's value cannot be empty");
  return {c, *raw};
}

std::vector<std::uint16_t> architectures(const toml::node& node, const std::filesystem::path& file,
                                         const std::string& key) {
  std::vector<std::uint16_t> out;
  for_each_item(node, file, key, [&](const toml::node& item, const std::string& where) {
    auto v = require<std::int64_t>(item, file, key, "a number (RFC 4578: 0 BIOS, 6 EFI IA32, 7 EFI x64, 11 EFI ARM64)");
    if (v < 0 || v > 0xffff) throw config_error(where + ": an architecture is 0..65535");
    out.push_back(static_cast<std::uint16_t>(v));
  });
  return out;
}

template <class F>
void for_each_table(const toml::node& node, const std::filesystem::path& file, const std::string& key, F&& f) {
  auto* list = node.as_array();
  if (!list) throw config_error(at(file, node) + ": " + key + " must be written [[" + key + "]]");
  for (auto& item : *list) {
    auto* t = item.as_table();
    if (!t) throw config_error(at(file, item) + ": each " + key + " must be a table");
    f(*t, at(file, item) + ": " + key);
  }
}

dhcp_subnet load_subnet(const toml::table& t, const std::filesystem::path& file, const std::string& where) {
  dhcp_subnet s;
  bool has_network = false;
  for (auto&& [key, node] : t) {
    std::string k{key.str()};
    auto key_name = "dhcp.subnet." + k;
    auto here = at(file, node) + ": " + key_name;
    if (k == "subnet") {
      auto text = require<std::string>(node, file, key_name, "a string like 10.0.0.0/24");
      auto n = ipv4_interface::from_string(text);
      if (!n) throw config_error(here + ": '" + text + "' is not a subnet (write it like 10.0.0.0/24)");
      s.network = *n;
      has_network = true;
    } else if (k == "pools") {
      for_each_item(node, file, key_name, [&](const toml::node& item, const std::string& w) {
        s.pools.push_back(parse_range(require<std::string>(item, file, key_name, "a range string"), w));
      });
    } else if (k == "exclude") {
      for_each_item(node, file, key_name, [&](const toml::node& item, const std::string& w) {
        s.excluded.push_back(parse_address(require<std::string>(item, file, key_name, "an address"), w));
      });
    } else if (k == "lease_time") s.lease_time = seconds(node, file, key_name);
    else if (k == "renewal_time") s.renewal_time = seconds(node, file, key_name);
    else if (k == "rebinding_time") s.rebinding_time = seconds(node, file, key_name);
    else if (boot_key(s.boot, k, node, file, here)) {
    } else if (option_key(s.options, k, node, here)) {
    } else if (k == "reservation")
      for_each_table(node, file, "dhcp.subnet.reservation", [&](const toml::table& r, const std::string& w) {
        s.reservations.push_back(load_reservation(r, file, w));
      });
    else if (k == "option")
      for_each_table(node, file, "dhcp.subnet.option", [&](const toml::table& o, const std::string& w) {
        set_option(s.options, load_option(o, file, w));
      });
    else throw config_error(here + ": unknown setting (an option's name, as docs/DHCP_OPTIONS.md lists them?)");
  }
  if (!has_network) throw config_error(where + ": a subnet needs `subnet = \"ADDR/PREFIX\"`");
  s.network.address = ipv4_address{s.network.address.value & s.network.netmask()};
  return s;
}

client_class load_class(const toml::table& t, const std::filesystem::path& file, const std::string& where) {
  client_class k;
  for (auto&& [key, node] : t) {
    std::string name{key.str()};
    auto key_name = "dhcp.class." + name;
    auto here = at(file, node) + ": " + key_name;
    if (name == "name") k.name = require<std::string>(node, file, key_name, "a string");
    else if (name == "vendor_class") k.vendor_class_prefix = require<std::string>(node, file, key_name, "a string");
    else if (name == "user_class") k.user_class = require<std::string>(node, file, key_name, "a string");
    else if (name == "architectures") k.architectures = architectures(node, file, key_name);
    else if (boot_key(k.boot, name, node, file, here)) {
    } else if (option_key(k.options, name, node, here)) {
    } else if (name == "option")
      for_each_table(node, file, "dhcp.class.option", [&](const toml::table& o, const std::string& w) {
        set_option(k.options, load_option(o, file, w));
      });
    else
      throw config_error(here + ": unknown setting (known: name, vendor_class, user_class, architectures, "
                                "next_server, server_name, boot_file, options by name)");
  }
  if (k.name.empty()) throw config_error(where + ": a class needs a name");
  if (k.vendor_class_prefix.empty() && k.user_class.empty() && k.architectures.empty())
    throw config_error(where + ": class " + k.name + " matches every client; give vendor_class, user_class or "
                               "architectures");
  return k;
}

std::string name_of(const dhcp_subnet& s) { return "dhcp subnet " + s.network.to_string(); }

} // namespace

address_range parse_range(const std::string& text, const std::string& where) {
  auto dash = text.find('-');
  if (dash == std::string::npos)
    throw config_error(where + ": '" + text + "' is not a range (write it like 10.0.0.100-10.0.0.199)");
  auto first = parse_address(text.substr(0, dash), where);
  auto last = parse_address(text.substr(dash + 1), where);
  if (last < first) throw config_error(where + ": range '" + text + "' ends before it starts");
  return {first, last};
}

void load_dhcp_settings(const toml::table& dhcp, const std::filesystem::path& file, dhcp_settings& into) {
  for (auto&& [key, node] : dhcp) {
    std::string k{key.str()};
    auto key_name = "dhcp." + k;
    if (k == "state_dir") into.state_dir = require<std::string>(node, file, key_name, "a path string");
    else if (k == "decline_hold") into.decline_hold = std::chrono::seconds(seconds(node, file, key_name));
    else if (k == "offer_hold") into.offer_hold = std::chrono::seconds(seconds(node, file, key_name));
    else if (k == "pool_warning") {
      auto v = require<std::int64_t>(node, file, key_name, "a percentage");
      if (v < 0 || v > 100) throw config_error(at(file, node) + ": " + key_name + " is a percentage, 0..100 (0: off)");
      into.pool_warning_percent = static_cast<unsigned>(v);
    } else if (k == "client_rate_limit") {
      auto v = require<std::int64_t>(node, file, key_name, "messages a second");
      if (v < 0 || v > 100000) throw config_error(at(file, node) + ": " + key_name + " is 0 (off) to 100000 a second");
      into.client_rate_limit = static_cast<unsigned>(v);
    } else if (k == "compaction_slack") {
      auto v = require<std::int64_t>(node, file, key_name, "a number of records");
      if (v < 0) throw config_error(at(file, node) + ": " + key_name + " cannot be negative");
      into.compaction_slack = static_cast<std::size_t>(v);
    }
    else if (k == "subnet")
      for_each_table(node, file, "dhcp.subnet", [&](const toml::table& t, const std::string& w) {
        into.subnets.push_back(load_subnet(t, file, w));
      });
    else if (k == "class")
      for_each_table(node, file, "dhcp.class", [&](const toml::table& t, const std::string& w) {
        into.classes.push_back(load_class(t, file, w));
      });
    else throw config_error(at(file, node) + ": unknown setting " + key_name);
  }
}

void add_pool(dhcp_settings& into, const address_range& pool, const std::vector<ipv4_interface>& own,
              const std::string& where) {
  for (auto& s : into.subnets)
    if (s.contains(pool.first)) {
      s.pools.push_back(pool);
      return;
    }
  for (const auto& o : own) {
    dhcp_subnet s;
    s.network = {ipv4_address{o.address.value & o.netmask()}, o.prefix_length};
    if (!s.contains(pool.first)) continue;
    s.pools.push_back(pool);
    into.subnets.push_back(s);
    return;
  }
  throw config_error(where + ": " + pool.first.to_string() +
                     " is on none of the served subnets; add an --ip on its subnet or a [[dhcp.subnet]]");
}

void validate(const dhcp_settings& dhcp) {
  for (std::size_t i = 0; i < dhcp.subnets.size(); ++i) {
    const auto& s = dhcp.subnets[i];
    auto name = name_of(s);
    if (s.pools.empty() && s.reservations.empty())
      throw config_error(name + ": no pools and no reservations: nothing to hand out");
    for (const auto& p : s.pools)
      if (!s.contains(p.first) || !s.contains(p.last))
        throw config_error(name + ": pool " + p.first.to_string() + "-" + p.last.to_string() +
                           " is not inside the subnet");
    for (const auto& r : s.reservations)
      if (!s.contains(r.address))
        throw config_error(name + ": reservation of " + r.address.to_string() + " is not inside the subnet");
    auto t1 = s.renewal_time.value_or(s.lease_time / 2);
    auto t2 = s.rebinding_time.value_or(static_cast<std::uint32_t>(s.lease_time * 7ull / 8));
    if (!(t1 < t2 && t2 < s.lease_time))
      throw config_error(name + ": renewal_time < rebinding_time < lease_time must hold (RFC 2131 §4.4.5)");
    for (std::size_t j = i + 1; j < dhcp.subnets.size(); ++j)
      if (dhcp.subnets[j].contains(s.network.address) || s.contains(dhcp.subnets[j].network.address))
        throw config_error(name + " overlaps " + name_of(dhcp.subnets[j]));
  }
}

} // namespace etherbeam::apps::dhcp
