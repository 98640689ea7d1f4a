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
#include <spdlog/spdlog.h>

#include "actors/link.hpp"
#include "actors/messages.hpp"
#include "actors/tell.hpp"
#include "apps/firewall/rules_file.hpp"
#include "apps/router/netfilter_stage.hpp"
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
  std::string firewall_rules; // a rules file; empty: no firewall, no NAT
  std::size_t max_flows = 65536;
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
    } else if (name == "firewall") {
      auto v = node.value<std::string>();
      if (!v || v->empty()) throw server::config_error(where(node, name) + ": must be the path of a rules file");
      s.firewall_rules = *v;
    } else if (name == "max_flows") {
      s.max_flows = static_cast<std::size_t>(positive(node, name));
    } else if (name == "max_neighbours") {
      s.neighbours.max_entries = static_cast<std::size_t>(positive(node, name));
    } else {
      throw server::config_error("[apps.router]: unknown setting " + name +
                                 " (known: routes, icmp_errors_per_second, icmp_error_burst, neighbour_queue, "
                                 "max_neighbours, firewall, max_flows)");
    }
  }
  return s;
}

std::vector<std::string> link_names(const actors::link_directory& links) {
  std::vector<std::string> names;
  for (actors::link_index i = 0; i < links.size(); ++i) names.push_back(links.at(i).name);
  return names;
}

// Throws config_error naming the file and the line.
std::shared_ptr<const firewall::rule_set> read_rules(const std::string& path, const std::vector<std::string>& links) {
  std::ifstream file(path);
  if (!file) throw server::config_error("[apps.router] firewall: cannot read " + path + ": " + std::strerror(errno));
  std::stringstream text;
  text << file.rdbuf();
  try {
    return firewall::parse_rules(text.str(), links);
  } catch (const firewall::rules_error& e) {
    throw server::config_error(path + " " + e.what());
  }
}

// `etherbeam trace`'s request: "COUNT SECONDS [tcp|udp|icmp] [host ADDRESS] [port PORT]".
std::string run_trace(trace_buffer& traces, std::string_view arguments) {
  std::istringstream words{std::string(arguments)};
  std::size_t count = 0;
  int seconds = 0;
  words >> count >> seconds;
  if (!words || count == 0 || seconds <= 0) return "error: trace COUNT SECONDS [tcp|udp|icmp] [host ADDRESS] [port PORT]";
  trace_request r;
  for (std::string w; words >> w;) {
    if (w == "tcp") r.protocol = protocols::ip_protocol::tcp;
    else if (w == "udp") r.protocol = protocols::ip_protocol::udp;
    else if (w == "icmp") r.protocol = protocols::ip_protocol::icmp;
    else if (w == "host" && words >> w) {
      auto a = protocols::ipv4_address::from_string(w);
      if (!a) return "error: trace: \"" + w + "\" is not an IPv4 address";
      r.host = *a;
    } else if (w == "port" && words >> w) {
      try {
        r.port = static_cast<std::uint16_t>(std::stoul(w));
      } catch (const std::exception&) {
        return "error: trace: \"" + w + "\" is not a port";
      }
    } else {
      return "error: trace: unknown filter word \"" + w + "\" (tcp, udp, icmp, host ADDRESS, port PORT)";
    }
  }
  traces.arm(r, count);
  auto until = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  std::string out;
  while (!traces.done() && std::chrono::steady_clock::now() < until)
    std::this_thread::sleep_for(std::chrono::milliseconds(20)); // the control actor's own thread: it may wait
  traces.disarm();
  for (auto& line : traces.take()) out += line + "\n";
  if (out.empty()) out = "no packet matched within " + std::to_string(seconds) + " s\n";
  return out;
}

std::string rule_counters(const firewall::packet_filter& filter) {
  std::ostringstream out;
  filter.rules()->for_each_counter([&](const std::string& name, std::uint64_t packets, std::uint64_t bytes) {
    out << name << " packets " << packets << " bytes " << bytes << "\n";
  });
  out << "flows " << filter.flows() << " of " << filter.capacity() << "\n";
  return out.str();
}

std::optional<server::running_application> start(const server::application_start& start) {
  auto settings = read_settings(start.settings);
  const auto& links = *start.links;
  std::vector<std::vector<protocols::ipv4_interface>> addresses;
  std::vector<std::string> names;
  for (actors::link_index i = 0; i < links.size(); ++i) {
    addresses.push_back(links.at(i).configured.addresses);
    names.push_back(links.at(i).name);
  }
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
  auto to_sender = [system](actors::link_index link, actors::frame&& f, caf::execution_unit* here) {
    auto sender = caf::actor_cast<actors::sender_actor>(system->registry().get(actors::sender_name(link)));
    if (!sender) return false;
    actors::tell(here, sender, actors::send_frame_atom::value, std::move(f));
    return true;
  };
  auto forwarding = std::make_shared<forwarding_decider>(counters, routes, start.links, settings.errors, to_link,
                                                         cache, to_sender);
  if (!settings.firewall_rules.empty()) {
    auto rules = read_rules(settings.firewall_rules, link_names(links));
    firewall::flow_table::settings table;
    table.max_flows = settings.max_flows;
    auto filter = std::make_shared<firewall::packet_filter>(rules, table);
    auto traces = std::make_shared<trace_buffer>();
    spdlog::info("router: firewall rules from {}: input {} rules (policy {}), forward {} rules (policy {}), {} NAT "
                 "rules; up to {} flows",
                 settings.firewall_rules, rules->input().rules.size(), firewall::name_of(rules->input().policy),
                 rules->forward().rules.size(), firewall::name_of(rules->forward().policy), rules->nat().size(),
                 settings.max_flows);
    app.registrations.push_back({"router", actors::frame_match::every(),
                                 std::make_shared<netfilter_stage>(counters, filter, routes, start.links, forwarding,
                                                                   traces)});
    counters.add_rendering([filter](std::ostream& out) {
      filter->rules()->for_each_counter([&](const std::string& name, std::uint64_t packets, std::uint64_t bytes) {
        if (packets) out << " firewall.rule." << name << ".packets=" << packets << " firewall.rule." << name
                         << ".bytes=" << bytes;
      });
      out << " firewall.flows=" << filter->flows();
    });
    app.commands.push_back({"firewall", "the firewall's rule counters and flow count",
                            [filter](caf::blocking_actor*, std::string_view, ipc::unique_fd&) {
                              return rule_counters(*filter);
                            }});
    app.commands.push_back({"conntrack", "the flows the firewall tracks, one per line",
                            [filter](caf::blocking_actor*, std::string_view, ipc::unique_fd&) {
                              auto list = filter->list_flows(firewall::clock::now());
                              return list.empty() ? std::string("no flows\n") : list;
                            }});
    app.commands.push_back({"trace", "each rule the next packets meet, and the verdict (trace COUNT SECONDS [FILTER])",
                            [traces](caf::blocking_actor*, std::string_view arguments, ipc::unique_fd&) {
                              return run_trace(*traces, arguments);
                            }});
    app.reload = [filter, names = link_names(links)](const server::server_config& next, caf::actor_system&) {
      auto table = next.app_settings.find("router");
      std::string path;
      if (table != next.app_settings.end())
        if (auto* node = table->second.get("firewall")) path = node->value_or(std::string());
      if (path.empty()) {
        spdlog::warn("SIGHUP: [apps.router] firewall is gone; the firewall stays as it was until a restart");
        return;
      }
      try {
        auto rules = read_rules(path, names);
        filter->replace_rules(rules);
        spdlog::info("SIGHUP: firewall rules reloaded from {}; {} tracked flows kept", path, filter->flows());
      } catch (const server::config_error& e) {
        spdlog::error("SIGHUP: firewall rules not reloaded, the running ones stay: {}", e.what());
      }
    };
  }
  app.registrations.push_back({"router", actors::frame_match::unclaimed_frames(), forwarding});
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

// `etherbeam trace|conntrack|firewall`: asks the running router.
server::command_line_part command_line(CLI::App& app) {
  struct options {
    CLI::App *trace, *conntrack, *firewall;
    std::size_t count = 10;
    int seconds = 10;
    std::vector<std::string> filter;
  };
  auto o = std::make_shared<options>();
  o->trace = app.add_subcommand("trace", "Print, for the next packets the running router's firewall judges, each "
                                         "rule they meet and the verdict (as nft monitor trace)");
  o->trace->fallthrough();
  o->trace->add_option("-c,--count", o->count, "Stop after this many packets")->capture_default_str();
  o->trace->add_option("--seconds", o->seconds, "Stop after this long")->capture_default_str();
  o->trace->add_option("filter", o->filter, "Which packets: any of tcp, udp, icmp, host ADDRESS, port PORT");
  o->conntrack = app.add_subcommand("conntrack", "List the flows the running router's firewall tracks");
  o->conntrack->fallthrough();
  o->firewall = app.add_subcommand("firewall", "Print the running firewall's per-rule packet and byte counters");
  o->firewall->fallthrough();
  server::command_line_part part;
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
