// The bridge in etherbeam's catalog: off unless asked for (`--app bridge`, or
// `[apps] enable = ["bridge"]`). It joins links at layer 2:
//
//   [apps.bridge]
//   links = ["a", "b", "c"]   # the [[link]] names joined; default: all
//   max_macs = 4096
//   ageing_seconds = 300
//
// Like Linux's br0, the bridge is one host on all its member links: each
// member's addresses are etherbeam's on every member, answered (ARP, ping,
// DHCP) on whichever link asks, from that link's own MAC.
#include <CLI/CLI.hpp>
#include <caf/actor_cast.hpp>
#include <caf/actor_registry.hpp>
#include <caf/actor_system.hpp>
#include <spdlog/spdlog.h>

#include "actors/link.hpp"
#include "actors/messages.hpp"
#include "actors/tell.hpp"
#include "apps/bridge/bridge_stage.hpp"
#include "server/applications.hpp"
#include "server/config_reading.hpp"

namespace etherbeam::apps::bridge {

namespace {

struct bridge_settings {
  std::vector<std::string> links; // empty: all
  mac_table::settings table;
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
    } else if (name == "max_macs" || name == "ageing_seconds") {
      auto v = node.value<std::int64_t>();
      if (!v || *v <= 0) throw server::config_error(where(node, name) + ": must be a positive number");
      if (name == "max_macs") s.table.max_entries = static_cast<std::size_t>(*v);
      else s.table.ageing = std::chrono::seconds(*v);
    } else {
      throw server::config_error("[apps.bridge]: unknown setting " + name + " (known: links, max_macs, ageing_seconds)");
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
  return members;
}

// Joins each member link to the others' addresses (stack_identity::joined).
// A configuration error is left for start() to report.
void share_addresses(server::server_config& config) {
  auto apps = server::applications();
  auto self = std::find_if(apps.begin(), apps.end(), [](auto* a) { return a->name == "bridge"; });
  if (self == apps.end() || !server::enabled(**self, config)) return;
  std::vector<actors::link_index> members;
  try {
    members = members_of(read_settings(config.app_settings["bridge"]), config.links);
  } catch (const server::config_error&) {
    return;
  }
  for (auto m : members) {
    auto& joined = config.links[m].identity.joined;
    joined.clear();
    for (auto other : members)
      if (other != m)
        joined.insert(joined.end(), config.links[other].identity.addresses.begin(),
                      config.links[other].identity.addresses.end());
  }
}

std::optional<server::running_application> start(const server::application_start& start) {
  auto settings = read_settings(start.settings);
  const auto& links = *start.links;
  auto members = members_of(settings, links);
  std::string names;
  for (auto i : members) names += (names.empty() ? "" : ", ") + links.at(i).name;
  spdlog::info("bridge: joining {} (up to {} MACs, ageing {} s)", names, settings.table.max_entries,
               std::chrono::duration_cast<std::chrono::seconds>(settings.table.ageing).count());

  auto* system = &start.system;
  auto send = [system](actors::link_index link, protocols::byte_view bytes, caf::execution_unit* here) {
    auto sender = caf::actor_cast<actors::sender_actor>(system->registry().get(actors::sender_name(link)));
    if (sender) actors::tell(here, sender, actors::send_frame_atom::value, actors::frame{bytes});
  };
  auto stage = std::make_shared<bridge_stage>(start.counters->named, members, settings.table, send);
  start.counters->named.add_rendering([stage](std::ostream& out) { out << " bridge.macs=" << stage->macs(); });
  server::running_application app;
  app.registrations.push_back({"bridge", actors::frame_match::every(), stage});
  app.commands.push_back({"macs", "the bridge's learned MAC addresses and their links",
                          [stage, all = start.links](caf::blocking_actor*, std::string_view, ipc::unique_fd&) {
                            auto list = stage->list([&](actors::link_index l) { return all->at(l).name; });
                            return list.empty() ? std::string("no MAC learned\n") : list;
                          }});
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
  "join links at layer 2 (MAC learning, flooding): [apps.bridge] links = [\"a\", \"b\", ...], max_macs, "
  "ageing_seconds",
  false,
  start,
  command_line, {}, {},
});

} // namespace

} // namespace etherbeam::apps::bridge
