// The bridge in etherbeam's catalog: off unless asked for (`--app bridge`, or
// `[apps] enable = ["bridge"]`). It joins links at layer 2:
//
//   [apps.bridge]
//   links = ["a", "b", "c"]   # the [[link]] names joined; default: all
//   name = "lan"               # optional: firewall rules' iif/oif name for every member
//   max_macs = 4096
//   ageing_seconds = 300
//   firewall = "bridge.rules"  # optional: filters what crosses (bridge_firewall.hpp)
//   max_flows = 65536
//
// Like Linux's br0, the bridge is one host on all its member links: each
// member's addresses are etherbeam's on every member, answered (ARP, ping,
// DHCP) on whichever link asks, from that link's own MAC.
#include <algorithm>
#include <cctype>

#include <CLI/CLI.hpp>
#include <caf/actor_cast.hpp>
#include <caf/actor_registry.hpp>
#include <caf/actor_system.hpp>
#include <spdlog/spdlog.h>

#include "actors/link.hpp"
#include "actors/messages.hpp"
#include "actors/tell.hpp"
#include "apps/bridge/bridge_stage.hpp"
#include "apps/firewall/rules_loading.hpp"
#include "protocols/ipv4_fragmentation.hpp"
#include "server/applications.hpp"
#include "server/config_reading.hpp"

namespace etherbeam::apps::bridge {

namespace {

struct bridge_settings {
  std::vector<std::string> links; // empty: all
  std::string name;               // for firewall rules (stack_identity::bridge); empty: none
  mac_table::settings table;
  std::string firewall; // a rules file; empty: none
  std::size_t max_flows = 65536;
};

std::string where(const toml::node& node, const std::string& key) {
  return "[apps.bridge] " + key + " (line " + std::to_string(node.source().begin.line) + ")";
}

bridge_settings read_settings(const toml::table& table) {
  bridge_settings s;
  for (auto&& [key, node] : table) {
    std::string name(key.str());
    if (name == "links") {
      auto* list = node.as_array();
      if (!list) throw server::config_error(where(node, name) + ": must be a list of [[link]] names");
      for (auto&& item : *list) {
        auto v = item.value<std::string>();
        if (!v) throw server::config_error(where(item, name) + ": must be a list of [[link]] names");
        s.links.push_back(*v);
      }
    } else if (name == "max_macs" || name == "ageing_seconds" || name == "max_flows") {
      auto v = node.value<std::int64_t>();
      if (!v || *v <= 0) throw server::config_error(where(node, name) + ": must be a positive number");
      if (name == "max_macs") s.table.max_entries = static_cast<std::size_t>(*v);
      else if (name == "max_flows") s.max_flows = static_cast<std::size_t>(*v);
      else s.table.ageing = std::chrono::seconds(*v);
    } else if (name == "name") {
      auto v = node.value<std::string>();
      bool word = v && !v->empty() && std::all_of(v->begin(), v->end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.';
      });
      if (!word)
        throw server::config_error(where(node, name) + ": must be a name of letters, digits, '_', '-' or '.', "
                                                       "as firewall rules write it (iif lan)");
      s.name = *v;
    } else if (name == "firewall") {
      auto v = node.value<std::string>();
      if (!v || v->empty()) throw server::config_error(where(node, name) + ": must be the path of a rules file");
      s.firewall = *v;
    } else {
      throw server::config_error("[apps.bridge]: unknown setting " + name +
                                 " (known: links, name, max_macs, ageing_seconds, firewall, max_flows)");
    }
  }
  return s;
}

// The member links' indices, in the order named. Throws config_error.
template <typename Links>
std::vector<actors::link_index> members_of(const bridge_settings& settings, const Links& links) {
  std::vector<actors::link_index> members;
  if (settings.links.empty())
    for (actors::link_index i = 0; i < links.size(); ++i) members.push_back(i);
  for (const auto& name : settings.links) {
    actors::link_index i = 0;
    while (i < links.size() && links.at(i).name != name) ++i;
    if (i == links.size()) throw server::config_error("[apps.bridge] links: no [[link]] named \"" + name + "\"");
    if (std::find(members.begin(), members.end(), i) != members.end())
      throw server::config_error("[apps.bridge] links: \"" + name + "\" is named twice");
    members.push_back(i);
  }
  if (members.size() < 2)
    throw server::config_error("[apps.bridge]: a bridge joins two links or more; serve them with [[link]] tables");
  for (actors::link_index i = 0; i < links.size(); ++i)
    if (!settings.name.empty() && links.at(i).name == settings.name)
      throw server::config_error("[apps.bridge] name: \"" + settings.name +
                                 "\" is a [[link]]'s name too; give the bridge a name of its own");
  return members;
}

// The rules, checked for what a bridge can do. Throws config_error naming the file and line.
std::shared_ptr<const firewall::rule_set> read_rules(const std::string& path, const firewall::rule_link_names& names) {
  std::shared_ptr<const firewall::rule_set> rules;
  try {
    rules = firewall::read_rules_file(path, names);
  } catch (const firewall::rules_file_error& e) {
    throw server::config_error(std::string("[apps.bridge] firewall: ") + e.what());
  }
  if (auto line = nat_rule_line(*rules))
    throw server::config_error("[apps.bridge] firewall: " + path + " line " + std::to_string(line) +
                               ": a bridge passes frames unchanged and cannot translate addresses; NAT needs "
                               "the router (README, Router)");
  return rules;
}

// The firewall's commands (firewall, conntrack, trace), counters and SIGHUP reload.
void add_firewall(server::running_application& app, actors::counter_registry& counters,
                  std::shared_ptr<const bridge_firewall> guard, std::shared_ptr<firewall::rules_in_force> in_force,
                  firewall::rule_link_names names) {
  counters.add_rendering([guard, in_force](std::ostream& out) {
    in_force->get()->for_each_counter([&](const std::string& name, std::uint64_t packets, std::uint64_t bytes) {
      if (packets) out << " firewall.rule." << name << ".packets=" << packets << " firewall.rule." << name
                       << ".bytes=" << bytes;
    });
    out << " firewall.flows=" << guard->flows();
  });
  app.commands.push_back({"firewall", "the bridge firewall's rule counters and flow count",
                          [guard, in_force](caf::blocking_actor*, std::string_view, ipc::unique_fd&) {
                            return firewall::counters_report(*in_force->get(), guard->flows(), guard->capacity());
                          },
                          true});
  app.commands.push_back({"conntrack", "the flows the bridge firewall tracks, one per line",
                          [guard](caf::blocking_actor*, std::string_view, ipc::unique_fd&) {
                            auto list = guard->list_flows();
                            return list.empty() ? std::string("no flows\n") : list;
                          },
                          true});
  app.commands.push_back({"trace", "each rule the next packets meet, and the verdict (trace COUNT SECONDS [FILTER])",
                          [](caf::blocking_actor*, std::string_view arguments, ipc::unique_fd&) {
                            return firewall::trace_buffers::of_process().run(arguments);
                          }});
  app.reload = [guard, in_force, names = std::move(names)](const server::server_config& next, caf::actor_system&) {
    std::string path;
    if (auto table = next.app_settings.find("bridge"); table != next.app_settings.end())
      if (auto* node = table->second.get("firewall")) path = node->value_or(std::string());
    if (path.empty()) {
      spdlog::warn("SIGHUP: [apps.bridge] firewall is gone; the firewall stays as it was until a restart");
      return;
    }
    try {
      in_force->replace(read_rules(path, names));
      spdlog::info("SIGHUP: bridge firewall rules reloaded from {}; {} tracked flows kept", path, guard->flows());
    } catch (const server::config_error& e) {
      spdlog::error("SIGHUP: bridge firewall rules not reloaded, the running ones stay: {}", e.what());
    }
  };
}

// Joins each member link to the others' addresses and to the links
// themselves (stack_identity::joined and ::bridged).
// A configuration error is left for start() to report.
void share_addresses(server::server_config& config) {
  auto apps = server::applications();
  auto self = std::find_if(apps.begin(), apps.end(), [](auto* a) { return a->name == "bridge"; });
  if (self == apps.end() || !server::enabled(**self, config)) return;
  std::vector<actors::link_index> members;
  bridge_settings settings;
  try {
    settings = read_settings(config.app_settings["bridge"]);
    members = members_of(settings, config.links);
  } catch (const server::config_error&) {
    return;
  }
  for (auto m : members) {
    auto& me = config.links[m].identity;
    me.joined.clear();
    me.bridged.clear();
    me.bridge = settings.name;
    for (auto other : members) {
      if (other == m) continue;
      me.joined.insert(me.joined.end(), config.links[other].identity.addresses.begin(),
                       config.links[other].identity.addresses.end());
      me.bridged.push_back(other);
    }
  }
}

std::optional<server::running_application> start(const server::application_start& start) {
  auto settings = read_settings(start.settings);
  const auto& links = *start.links;
  auto members = members_of(settings, links);
  std::string joined;
  for (auto i : members) joined += (joined.empty() ? "" : ", ") + links.at(i).name;
  spdlog::info("bridge{}: joining {} (up to {} MACs, ageing {} s)", settings.name.empty() ? "" : " " + settings.name,
               joined, settings.table.max_entries,
               std::chrono::duration_cast<std::chrono::seconds>(settings.table.ageing).count());

  auto* system = &start.system;
  auto send = [system, all = start.links](actors::link_index link, protocols::byte_view bytes,
                                         caf::execution_unit* here) {
    auto sender = caf::actor_cast<actors::sender_actor>(system->registry().get(actors::sender_name(link)));
    if (!sender) return;
    auto to_sender = [&](protocols::byte_view f) { actors::tell(here, sender, actors::send_frame_atom::value, actors::frame{f}); };
    auto eth = protocols::ethernet_frame::check(bytes);
    auto mtu = all->identity(link)->link_mtu();
    if (!eth || bytes.size() <= eth->header_len() + mtu) return to_sender(bytes);
    // A datagram the firewall put together leaves as it came, in fragments; anything else
    // too long goes on as it is, for raw_binder to count what the link refuses.
    if (protocols::fragment_frame(bytes, eth->header_len(), mtu, to_sender) != protocols::fragmentation::fragmented)
      to_sender(bytes);
  };
  std::shared_ptr<bridge_firewall> guard;
  std::shared_ptr<firewall::rules_in_force> in_force;
  firewall::rule_link_names names;
  if (!settings.firewall.empty()) {
    names = {links.names(), links.bridges()};
    auto rules = read_rules(settings.firewall, names);
    in_force = std::make_shared<firewall::rules_in_force>(rules);
    firewall::flow_table::settings table;
    table.max_flows = settings.max_flows;
    guard = std::make_shared<bridge_firewall>(start.counters->named, in_force, table, names.links);
    spdlog::info("bridge: firewall rules from {}: input {} rules (policy {}), forward {} rules (policy {}); up to {} "
                 "flows",
                 settings.firewall, rules->input().rules.size(), firewall::name_of(rules->input().policy),
                 rules->forward().rules.size(), firewall::name_of(rules->forward().policy), settings.max_flows);
  }
  auto stage = std::make_shared<bridge_stage>(start.counters->named, members, settings.table, send, guard);
  start.counters->named.add_rendering([stage](std::ostream& out) { out << " bridge.macs=" << stage->macs(); });
  server::running_application app;
  app.registrations.push_back({"bridge", actors::frame_match::every(), stage});
  app.commands.push_back({"macs", "the bridge's learned MAC addresses and their links",
                          [stage, all = start.links](caf::blocking_actor*, std::string_view, ipc::unique_fd&) {
                            auto list = stage->list([&](actors::link_index l) { return all->at(l).name; });
                            return list.empty() ? std::string("no MAC learned\n") : list;
                          }});
  if (guard) add_firewall(app, start.counters->named, guard, in_force, std::move(names));
  return app;
}

// `etherbeam macs`: asks the running bridge.
server::command_line_part command_line(CLI::App& app) {
  auto* macs = app.add_subcommand("macs", "List the MAC addresses the running bridge has learned, and their links");
  macs->fallthrough();
  server::command_line_part part;
  part.apply = share_addresses;
  part.run_subcommand = [macs](const server::server_config& config) -> std::optional<int> {
    if (!macs->parsed()) return std::nullopt;
    return server::control_command(config.socket_dir, "macs");
  };
  return part;
}

const bool added = server::add_application({
  "bridge",
  "join links at layer 2 (MAC learning, flooding): [apps.bridge] links = [\"a\", \"b\", ...], name, max_macs, "
  "ageing_seconds, firewall (a rules file), max_flows",
  false,
  start,
  command_line, {}, {},
});

} // namespace

} // namespace etherbeam::apps::bridge
