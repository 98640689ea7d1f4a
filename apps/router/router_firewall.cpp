#include "apps/router/router_firewall.hpp"

#include <thread>

#include <spdlog/spdlog.h>

#include "apps/firewall/packet_filter.hpp"
#include "apps/firewall/rules_loading.hpp"
#include "server/config_reading.hpp"

namespace etherbeam::apps::router {

namespace {

std::size_t positive_count(const toml::node& node, const std::string& key) {
  auto v = node.value<double>();
  if (!v || *v < 1)
    throw server::config_error("[apps.router] " + key + " (line " + std::to_string(node.source().begin.line) +
                               "): must be a positive number");
  return static_cast<std::size_t>(*v);
}

// Throws config_error naming the file and the line.
std::shared_ptr<const firewall::rule_set> read_rules(const std::string& path, const firewall::rule_link_names& names) {
  try {
    return firewall::read_rules_file(path, names);
  } catch (const firewall::rules_file_error& e) {
    throw server::config_error(std::string("[apps.router] firewall: ") + e.what());
  }
}

// How the router asks the firewall, whichever model owns the flows.
struct firewall_view {
  std::function<std::size_t()> flows;
  std::function<std::string(caf::blocking_actor*)> list;
};

} // namespace

bool read_firewall_setting(firewall_settings& s, const std::string& key, const toml::node& node) {
  auto line = [&] { return "[apps.router] " + key + " (line " + std::to_string(node.source().begin.line) + ")"; };
  if (key == "firewall") {
    auto v = node.value<std::string>();
    if (!v || v->empty()) throw server::config_error(line() + ": must be the path of a rules file");
    s.rules = *v;
  } else if (key == "max_flows") {
    s.max_flows = positive_count(node, key);
  } else if (key == "flow_model") {
    auto v = node.value<std::string>();
    auto m = v ? parse_flow_model(*v) : std::nullopt;
    if (!m) throw server::config_error(line() + ": must be \"locked\", \"sharded\" or \"per-flow\"");
    s.model = *m;
  } else if (key == "flow_shards") {
    s.shards = positive_count(node, key);
  } else {
    return false;
  }
  return true;
}

void add_firewall(server::running_application& app, const server::application_start& start,
                  const firewall_settings& settings, std::shared_ptr<const route_table> routes,
                  std::shared_ptr<const forwarding_decider> forwarding) {
  const auto& links = *start.links;
  auto& counters = start.counters->named;
  firewall::rule_link_names names{links.names(), links.bridges()};
  auto rules = read_rules(settings.rules, names);
  firewall::flow_table::settings table;
  table.max_flows = settings.max_flows;
  auto in_force = std::make_shared<firewall::rules_in_force>(rules);
  auto traces = firewall::trace_buffers::of_process().open("router");
  std::size_t shards = settings.shards ? settings.shards
                                       : (start.config.scheduler_threads ? start.config.scheduler_threads
                                                                         : std::max(1u, std::thread::hardware_concurrency()));
  spdlog::info("router: firewall rules from {}: input {} rules (policy {}), forward {} rules (policy {}), {} NAT "
               "rules; up to {} flows, flow model {}{}",
               settings.rules, rules->input().rules.size(), firewall::name_of(rules->input().policy),
               rules->forward().rules.size(), firewall::name_of(rules->forward().policy), rules->nat().size(),
               settings.max_flows, to_string(settings.model),
               settings.model == flow_model::sharded ? " (" + std::to_string(shards) + " shards)" : std::string());
  firewall_view view;
  std::shared_ptr<netfilter_stage> stage;
  if (settings.model == flow_model::locked) {
    auto filter = std::make_shared<firewall::packet_filter>(in_force, table);
    stage = std::make_shared<netfilter_stage>(
      counters, [filter](const firewall::judged_packet& p) { return filter->decide(p); }, nullptr, routes,
      start.links, forwarding, traces, start.reinjection);
    view.flows = [filter] { return filter->flows(); };
    view.list = [filter](caf::blocking_actor*) { return filter->list_flows(firewall::clock::now()); };
  } else {
    auto owners = make_flow_owners(start.system, {settings.model, shards, table}, in_force, start.links,
                                   start.reinjection);
    stage = std::make_shared<netfilter_stage>(counters, nullptr, owners.hand_off, routes, start.links, forwarding,
                                              traces, start.reinjection);
    owners.set_stage(stage);
    for (auto& c : owners.children) app.children.push_back(std::move(c));
    view.flows = owners.flows;
    view.list = owners.list;
  }
  app.registrations.push_back({"router", actors::frame_match::every(), stage});
  counters.add_rendering([view, in_force](std::ostream& out) {
    in_force->get()->for_each_counter([&](const std::string& name, std::uint64_t packets, std::uint64_t bytes) {
      if (packets) out << " firewall.rule." << name << ".packets=" << packets << " firewall.rule." << name
                       << ".bytes=" << bytes;
    });
    out << " firewall.flows=" << view.flows();
  });
  app.commands.push_back({"firewall", "the router firewall's rule counters and flow count",
                          [view, in_force, capacity = settings.max_flows](caf::blocking_actor*, std::string_view, ipc::unique_fd&) {
                            return firewall::counters_report(*in_force->get(), view.flows(), capacity);
                          },
                          true});
  app.commands.push_back({"conntrack", "the flows the router firewall tracks, one per line",
                          [view](caf::blocking_actor* self, std::string_view, ipc::unique_fd&) {
                            auto list = view.list(self);
                            return list.empty() ? std::string("no flows\n") : list;
                          },
                          true});
  app.commands.push_back({"trace", "each rule the next packets meet, and the verdict (trace COUNT SECONDS [FILTER])",
                          [](caf::blocking_actor*, std::string_view arguments, ipc::unique_fd&) {
                            return firewall::trace_buffers::of_process().run(arguments);
                          }});
  app.reload = [view, in_force, names](const server::server_config& next, caf::actor_system&) {
    auto table = next.app_settings.find("router");
    std::string path;
    if (table != next.app_settings.end())
      if (auto* node = table->second.get("firewall")) path = node->value_or(std::string());
    if (path.empty()) {
      spdlog::warn("SIGHUP: [apps.router] firewall is gone; the firewall stays as it was until a restart");
      return;
    }
    try {
      in_force->replace(read_rules(path, names));
      spdlog::info("SIGHUP: firewall rules reloaded from {}; {} tracked flows kept", path, view.flows());
    } catch (const server::config_error& e) {
      spdlog::error("SIGHUP: firewall rules not reloaded, the running ones stay: {}", e.what());
    }
  };
}

} // namespace etherbeam::apps::router
