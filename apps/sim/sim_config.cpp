#include "apps/sim/sim_config.hpp"

#include "server/config_reading.hpp"

namespace etherbeam::apps::sim {


namespace {

std::string where(const toml::node& node, const std::string& key) {
  return "[[apps.sim.group]] " + key + " (line " + std::to_string(node.source().begin.line) + ")";
}

} // namespace

group_settings read_group(const toml::table& table) {
  group_settings g;
  g.line = static_cast<int>(table.source().begin.line);
  bool mac = false, address = false;
  for (auto&& [key, node] : table) {
    std::string name(key.str());
    if (name == "count") {
      auto v = node.value<std::int64_t>();
      if (!v || *v < 1 || *v > max_hosts)
        throw server::config_error(where(node, name) + ": must be a whole number from 1 to " +
                                   std::to_string(max_hosts));
      g.count = *v;
    } else if (name == "mac") {
      auto v = node.value<std::string>();
      auto parsed = v ? protocols::mac_address::from_string(*v) : std::nullopt;
      if (!parsed || parsed->is_group())
        throw server::config_error(where(node, name) + ": must be a unicast MAC such as \"02:5e:00:00:00:01\"");
      g.first_mac = *parsed;
      mac = true;
    } else if (name == "address") {
      auto v = node.value<std::string>();
      address = true;
      if (v && *v == "dhcp") continue;
      auto parsed = v ? protocols::ipv4_interface::from_string(*v) : std::nullopt;
      if (!parsed) throw server::config_error(where(node, name) + ": must be \"dhcp\" or an address with its "
                                                                  "prefix, such as \"10.77.0.10/24\"");
      g.first_address = *parsed;
    } else if (name == "loss_percent" || name == "duplicate_percent" || name == "reorder_percent") {
      auto v = node.value<double>();
      if (!v || *v < 0 || *v > 100) throw server::config_error(where(node, name) + ": must be a percentage, 0 to 100");
      (name == "loss_percent" ? g.timing.link.loss_percent
                              : name == "duplicate_percent" ? g.timing.link.duplicate_percent
                                                            : g.timing.link.reorder_percent) = *v;
    } else if (name == "delay_ms" || name == "jitter_ms") {
      auto v = node.value<std::int64_t>();
      if (!v || *v < 0 || *v > 60000) throw server::config_error(where(node, name) + ": must be 0 to 60000 ms");
      (name == "delay_ms" ? g.timing.link.delay : g.timing.link.jitter) = std::chrono::milliseconds(*v);
    } else if (name == "vlan") {
      auto v = node.value<std::int64_t>();
      if (!v || *v < 1 || *v > 4094) throw server::config_error(where(node, name) + ": must be a VLAN id, 1 to 4094");
      g.vlan = static_cast<std::uint16_t>(*v);
    } else if (name == "first_retransmit_seconds") {
      auto v = node.value<double>();
      if (!v || *v < 0.1 || *v > 64)
        throw server::config_error(where(node, name) + ": must be a number of seconds from 0.1 to 64");
      g.timing.dhcp.first_wait = std::chrono::milliseconds(static_cast<std::int64_t>(*v * 1000));
    } else if (name == "start_spread_seconds") {
      auto v = node.value<double>();
      if (!v || *v < 0 || *v > 86400)
        throw server::config_error(where(node, name) + ": must be a number of seconds from 0 to 86400");
      g.timing.start_spread = std::chrono::milliseconds(static_cast<std::int64_t>(*v * 1000));
    } else if (name == "link") {
      auto v = node.value<std::string>();
      if (!v) throw server::config_error(where(node, name) + ": must be a [[link]] name");
      g.link = *v;
    } else {
      throw server::config_error(where(node, name) + ": unknown setting (known: count, mac, address, link, "
                                                      "vlan, start_spread_seconds, first_retransmit_seconds, "
                                                      "loss_percent, delay_ms, jitter_ms, duplicate_percent, "
                                                      "reorder_percent)");
    }
  }
  auto at = "[[apps.sim.group]] at line " + std::to_string(g.line);
  if (!g.count || !mac) throw server::config_error(at + ": count and mac are required");
  if (!address) throw server::config_error(at + ": address is required: \"dhcp\", or the first host's");
  return g;
}

protocols::mac_address mac_plus(protocols::mac_address m, std::uint64_t n) {
  std::uint64_t v = 0;
  for (auto o : m.octets) v = v << 8 | o;
  v += n;
  for (int i = 5; i >= 0; --i, v >>= 8) m.octets[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(v);
  return m;
}

std::vector<host_spec> hosts_of(const std::vector<group_settings>& groups, const actors::link_directory& links,
                                host_index first_index) {
  std::vector<host_spec> hosts;
  for (const auto& g : groups) {
    auto timing = std::make_shared<const group_timing>(g.timing);
    actors::link_index link = 0;
    if (!g.link.empty()) {
      while (link < links.size() && links.at(link).name != g.link) ++link;
      if (link == links.size())
        throw server::config_error("[[apps.sim.group]] at line " + std::to_string(g.line) + ": no [[link]] named \"" +
                                   g.link + "\"");
    }
    if (!g.first_address) {
      for (std::int64_t i = 0; i < g.count; ++i)
        hosts.push_back({link, mac_plus(g.first_mac, static_cast<std::uint64_t>(i)), std::nullopt,
                         static_cast<host_index>(first_index + hosts.size()), g.vlan, timing});
      continue;
    }
    auto first = *g.first_address;
    auto prefix = first.prefix_length;
    std::uint32_t mask = prefix ? ~std::uint32_t{0} << (32 - prefix) : 0;
    auto network = first.address.value & mask;
    auto last = static_cast<std::uint64_t>(first.address.value) + static_cast<std::uint64_t>(g.count) - 1;
    if (first.address.value == network || last >= (network | ~mask))
      throw server::config_error("[[apps.sim.group]] at line " + std::to_string(g.line) + ": " +
                                 std::to_string(g.count) + " addresses from " + first.to_string() +
                                 " do not fit between its subnet's network and broadcast addresses");
    for (std::int64_t i = 0; i < g.count; ++i) {
      protocols::ipv4_interface a{{static_cast<std::uint32_t>(first.address.value + i)}, prefix};
      if (links.at(link).configured.owns(a.address))
        throw server::config_error("[[apps.sim.group]] at line " + std::to_string(g.line) + ": " +
                                   a.address.to_string() + " is etherbeam's own address on link " +
                                   links.at(link).name);
      hosts.push_back({link, mac_plus(g.first_mac, static_cast<std::uint64_t>(i)), a,
                       static_cast<host_index>(first_index + hosts.size()), g.vlan, timing});
    }
  }
  return hosts;
}

std::vector<group_settings> read_settings(const toml::table& table) {
  std::vector<group_settings> groups;
  for (auto&& [key, node] : table) {
    if (key.str() != "group") throw server::config_error("[apps.sim]: unknown setting " + std::string(key.str()) +
                                                         " (known: group, as [[apps.sim.group]] tables)");
    auto* list = node.as_array();
    if (!list) throw server::config_error("[apps.sim] group: write each group as a [[apps.sim.group]] table");
    for (auto&& item : *list) {
      auto* t = item.as_table();
      if (!t) throw server::config_error("[apps.sim] group: write each group as a [[apps.sim.group]] table");
      groups.push_back(read_group(*t));
    }
  }
  return groups;
}

// The bound under which a share `q` of what the histogram saw falls.
group_settings read_group_text(std::string_view text) {
  toml::table parsed;
  try {
    parsed = toml::parse("group = { " + std::string(text) + " }");
  } catch (const toml::parse_error& e) {
    throw server::config_error("sim add: " + std::string(e.description()) +
                               " (say the group as in [[apps.sim.group]]: count = 10, mac = \"02:5e:00:00:09:00\", "
                               "address = \"dhcp\")");
  }
  return read_group(*parsed["group"].as_table());
}

} // namespace etherbeam::apps::sim
