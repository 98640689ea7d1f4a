#include "apps/dhcp/dhcp_config_file.hpp"

#include <charconv>

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

void addresses_into(const toml::node& node, const std::filesystem::path& file, const std::string& key,
                    address_list& into) {
  into = {};
  for_each_item(node, file, key, [&](const toml::node& item, const std::string& where) {
    if (into.size == address_list::capacity)
      throw config_error(where + ": at most " + std::to_string(address_list::capacity) + " addresses");
    into.push_back(parse_address(require<std::string>(item, file, key, "an address string"), where));
  });
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

raw_option load_option(const toml::table& t, const std::filesystem::path& file, const std::string& where) {
  raw_option o;
  bool has_code = false, has_value = false;
  for (auto&& [key, node] : t) {
    std::string k{key.str()};
    auto here = at(file, node) + ": option." + k;
    if (k == "code") {
      auto c = require<std::int64_t>(node, file, k, "a number");
      if (c < 1 || c > 254 || c == dhcp_option_code::overload || c == dhcp_option_code::message_type)
        throw config_error(here + ": code must be 1..254 and not one the server sets itself");
      o.code = static_cast<std::uint8_t>(c);
      has_code = true;
    } else if (k == "hex") {
      o.value = parse_hex(require<std::string>(node, file, k, "hex bytes"), here);
      has_value = true;
    } else if (k == "text") {
      auto s = require<std::string>(node, file, k, "a string");
      o.value.assign(s.begin(), s.end());
      has_value = true;
    } else {
      throw config_error(here + ": unknown setting (known: code, hex, text)");
    }
  }
  if (!has_code || !has_value) throw config_error(where + ": an option needs a code and a hex or text value");
  return o;
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
    else if (k == "routers") addresses_into(node, file, key_name, s.routers);
    else if (k == "dns_servers") addresses_into(node, file, key_name, s.dns_servers);
    else if (k == "ntp_servers") addresses_into(node, file, key_name, s.ntp_servers);
    else if (k == "domain_name") s.domain_name = require<std::string>(node, file, key_name, "a string");
    else if (k == "reservation")
      for_each_table(node, file, "dhcp.subnet.reservation", [&](const toml::table& r, const std::string& w) {
        s.reservations.push_back(load_reservation(r, file, w));
      });
    else if (k == "option")
      for_each_table(node, file, "dhcp.subnet.option", [&](const toml::table& o, const std::string& w) {
        s.options.push_back(load_option(o, file, w));
      });
    else throw config_error(here + ": unknown setting");
  }
  if (!has_network) throw config_error(where + ": a subnet needs `subnet = \"ADDR/PREFIX\"`");
  s.network.address = ipv4_address{s.network.address.value & s.network.netmask()};
  return s;
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
    else if (k == "compaction_slack") {
      auto v = require<std::int64_t>(node, file, key_name, "a number of records");
      if (v < 0) throw config_error(at(file, node) + ": " + key_name + " cannot be negative");
      into.compaction_slack = static_cast<std::size_t>(v);
    }
    else if (k == "subnet")
      for_each_table(node, file, "dhcp.subnet", [&](const toml::table& t, const std::string& w) {
        into.subnets.push_back(load_subnet(t, file, w));
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
