// The router in etherbeam's catalog: off unless asked for (`--app router`, or
// `[apps] enable = ["router"]`). It forwards IPv4 between the links etherbeam
// serves ([[link]] tables), by their connected routes and the static ones of
//
//   [apps.router]
//   routes = ["10.99.0.0/16 via 10.88.0.5", "default via 10.88.0.254"]
//
// while etherbeam goes on answering for its own addresses on every link.
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include <CLI/CLI.hpp>
#include <caf/actor_cast.hpp>
#include <caf/actor_registry.hpp>
#include <caf/actor_system.hpp>
#include <caf/blocking_actor.hpp>
#include <spdlog/spdlog.h>

#include "actors/link.hpp"
#include "actors/messages.hpp"
#include "actors/tell.hpp"
#include "apps/router/router_firewall.hpp"
#include "apps/router/neighbour_actor.hpp"
#include "apps/router/router_deciders.hpp"
#include "server/applications.hpp"
#include "server/config_reading.hpp"

namespace etherbeam::apps::router {

namespace {

struct router_settings {
  std::vector<static_route> routes;
  icmp_error_limits errors;
  neighbour_table::settings neighbours;
  firewall_settings firewall;
};

std::string where(const toml::node& node, const std::string& key) {
  return "[apps.router] " + key + " (line " + std::to_string(node.source().begin.line) + ")";
}

double positive(const toml::node& node, const std::string& key) {
  auto v = node.value<double>();
  if (!v || *v <= 0) throw server::config_error(where(node, key) + ": must be a positive number");
  return *v;
}

router_settings read_settings(const toml::table& table) {
  router_settings s;
  for (auto&& [key, node] : table) {
    std::string name(key.str());
    if (name == "routes") {
      auto* list = node.as_array();
      if (!list) throw server::config_error(where(node, name) + ": must be a list of \"PREFIX via GATEWAY\"");
      for (auto&& item : *list) {
        auto text = item.value<std::string>();
        std::string why = "must be a string";
        auto route = text ? parse_static_route(*text, why) : std::nullopt;
        if (!route) throw server::config_error(where(item, name) + ": " + (text ? "\"" + *text + "\": " : "") + why);
        s.routes.push_back(*route);
      }
    } else if (name == "icmp_errors_per_second") {
      s.errors.per_second = positive(node, name);
    } else if (name == "icmp_error_burst") {
      s.errors.burst = positive(node, name);
    } else if (name == "neighbour_queue") {
      s.neighbours.queue_per_neighbour = static_cast<std::size_t>(positive(node, name));
    } else if (name == "max_neighbours") {
      s.neighbours.max_entries = static_cast<std::size_t>(positive(node, name));
    } else if (!read_firewall_setting(s.firewall, name, node)) {
      throw server::config_error("[apps.router]: unknown setting " + name +
                                 " (known: routes, icmp_errors_per_second, icmp_error_burst, neighbour_queue, "
                                 "max_neighbours, firewall, max_flows, flow_model, flow_shards)");
    }
  }
  return s;
}

// Asks each link's neighbour actor for its table (a restarting one is skipped).
std::string list_neighbours(caf::blocking_actor* self, caf::actor_system& system, std::size_t links) {
  std::string out;
  for (actors::link_index i = 0; i < links; ++i) {
    auto actor = caf::actor_cast<neighbour_actor>(system.registry().get(neighbour_actor_name(i)));
    if (!actor) continue;
    self->request(actor, std::chrono::seconds(2), list_neighbours_atom::value)
      .receive([&](const std::string& lines) { out += lines; }, [](const caf::error&) {});
  }
  return out.empty() ? std::string("no neighbour known\n") : out;
}

std::optional<server::running_application> start(const server::application_start& start) {
  auto settings = read_settings(start.settings);
  const auto& links = *start.links;
  std::vector<std::vector<protocols::ipv4_interface>> addresses;
  for (actors::link_index i = 0; i < links.size(); ++i) addresses.push_back(links.at(i).configured.addresses);
  auto names = links.names();
  std::shared_ptr<const route_table> routes;
  try {
    routes = std::make_shared<const route_table>(addresses, settings.routes);
  } catch (const std::invalid_argument& e) {
    throw server::config_error(std::string("[apps.router] routes: ") + e.what());
  }
  for (const auto& r : routes->routes()) spdlog::info("router: route {}", r.to_string(names));
  if (links.size() < 2 && settings.routes.empty())
    spdlog::warn("router: one link and no static route: nothing can be routed anywhere but back where it came "
                 "from; serve more links with [[link]] tables");

  auto* system = &start.system;
  auto to_link = [system](actors::link_index link, routed_packet&& p, caf::execution_unit* here) {
    auto actor = caf::actor_cast<neighbour_actor>(system->registry().get(neighbour_actor_name(link)));
    if (!actor) return false;
    actors::tell(here, actor, route_packet_atom::value, std::move(p));
    return true;
  };
  auto heard = [system](actors::link_index link, const arp_heard& a, caf::execution_unit* here) {
    auto actor = caf::actor_cast<neighbour_actor>(system->registry().get(neighbour_actor_name(link)));
    if (actor) actors::tell(here, actor, arp_heard_atom::value, a);
  };
  auto& counters = start.counters->named;
  server::running_application app;
  app.registrations.push_back({"router", actors::frame_match::every(), std::make_shared<arp_listener>(heard)});
  auto cache = std::make_shared<neighbour_cache>(links.size());
  auto forwarding = std::make_shared<forwarding_decider>(counters, routes, start.links, settings.errors, to_link,
                                                         cache);
  if (!settings.firewall.rules.empty())
    add_firewall(app, start, settings.firewall, routes, forwarding);
  app.registrations.push_back({"router", actors::frame_match::unclaimed_frames(), forwarding});
  app.commands.push_back({"routes", "the router's routes, longest prefix first (as ip route)",
                          [routes, names](caf::blocking_actor*, std::string_view, ipc::unique_fd&) {
                            std::string out;
                            for (const auto& r : routes->routes()) out += r.to_string(names) + "\n";
                            return out;
                          }});
  app.commands.push_back({"neighbours", "each link's neighbours and their states (as ip neigh)",
                          [system, count = links.size()](caf::blocking_actor* self, std::string_view, ipc::unique_fd&) {
                            return list_neighbours(self, *system, count);
                          }});
  auto neighbour = std::make_shared<neighbour_counters>(counters);
  unreachable_reports reports{routes,
                              std::make_shared<actors::token_bucket>(settings.errors.per_second, settings.errors.burst)};
  for (actors::link_index i = 0; i < links.size(); ++i)
    app.children.push_back({"neighbours." + links.at(i).name,
                            [i, all = start.links, neighbour, s = settings.neighbours, reports,
                             cache](caf::actor_system& sys) {
                              return caf::actor_cast<caf::actor>(
                                spawn_neighbour_actor(sys, i, all, neighbour, s, reports, cache));
                            }});
  return app;
}

// `etherbeam trace|conntrack|firewall|routes|neighbours`: asks the running router.
server::command_line_part command_line(CLI::App& app) {
  struct options {
    CLI::App *trace, *conntrack, *firewall, *routes, *neighbours;
    std::size_t count = 10;
    int seconds = 10;
    std::vector<std::string> filter;
    std::string flow_model;
  };
  auto o = std::make_shared<options>();
  o->trace = app.add_subcommand("trace", "Print, for the next packets the running firewall (the router's or the bridge's) judges, each "
                                         "rule they meet and the verdict (as nft monitor trace)");
  o->trace->fallthrough();
  o->trace->add_option("-c,--count", o->count, "Stop after this many packets")->capture_default_str();
  o->trace->add_option("--seconds", o->seconds, "Stop after this long")->capture_default_str();
  o->trace->add_option("filter", o->filter, "Which packets: any of tcp, udp, icmp, host ADDRESS, port PORT");
  o->conntrack = app.add_subcommand("conntrack", "List the flows the running firewall (the router's or the bridge's) tracks");
  o->conntrack->fallthrough();
  o->firewall = app.add_subcommand("firewall", "Print the running firewall's (the router's or the bridge's) per-rule packet and byte counters");
  o->firewall->fallthrough();
  o->routes = app.add_subcommand("routes", "List the running router's routes, longest prefix first (as ip route)");
  o->routes->fallthrough();
  o->neighbours = app.add_subcommand("neighbours", "List the running router's neighbours on each link, with their "
                                                   "MACs and states (as ip neigh)");
  o->neighbours->alias("neigh");
  o->neighbours->fallthrough();
  app.add_option("--flow-model", o->flow_model,
                 "Who owns the router firewall's flows: locked (one table behind a lock), sharded (a few shard "
                 "actors) or per-flow (an actor per flow); [apps.router] flow_model")
    ->check(CLI::IsMember({"locked", "sharded", "per-flow"}));
  server::command_line_part part;
  part.apply = [o](server::server_config& config) {
    if (!o->flow_model.empty()) config.app_settings["router"].insert_or_assign("flow_model", o->flow_model);
  };
  part.run_subcommand = [o](const server::server_config& config) -> std::optional<int> {
    std::string command;
    auto timeout = std::chrono::seconds(5);
    if (o->trace->parsed()) {
      if (o->count == 0 || o->seconds <= 0) {
        std::cerr << "etherbeam trace: --count and --seconds must be positive\n";
        return 2;
      }
      command = "trace " + std::to_string(o->count) + " " + std::to_string(o->seconds);
      for (auto& w : o->filter) command += " " + w;
      timeout = std::chrono::seconds(o->seconds + 5);
    } else if (o->conntrack->parsed()) {
      command = "conntrack";
    } else if (o->firewall->parsed()) {
      command = "firewall";
    } else if (o->routes->parsed()) {
      command = "routes";
    } else if (o->neighbours->parsed()) {
      command = "neighbours";
    } else {
      return std::nullopt;
    }
    return server::control_command(config.socket_dir, command, timeout);
  };
  return part;
}

const bool added = server::add_application({
  "router",
  "forward IPv4 between the links served ([[link]] tables): connected routes, [apps.router] routes = "
  "[\"PREFIX via GATEWAY\", ...], ARP for next hops, ICMP errors (time exceeded, unreachable, "
  "fragmentation needed)",
  false,
  start,
  command_line, {}, {},
});

} // namespace

} // namespace etherbeam::apps::router
