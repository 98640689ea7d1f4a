// Simulated hosts in etherbeam's catalog: off unless asked for (`--app sim`).
// Each group is a run of hosts with consecutive MACs and addresses on a link:
//
//   [[apps.sim.group]]
//   count = 1000
//   mac = "02:5e:00:00:00:01"      # the first host's; the others count up
//   address = "10.77.0.10/24"      # the first host's; the others count up;
//                                  # or "dhcp": each runs a DHCP client (RFC 2131 §4.4)
//   start_spread_seconds = 10      # DHCP hosts start at random within this
//   first_retransmit_seconds = 4   # RFC 2131 §4.1's first wait; doubled up to 64 s
//   loss_percent = 20              # a bad link, as netem makes one, for what the group's
//   delay_ms = 50                  #   hosts send and receive: loss, delay with jitter,
//   jitter_ms = 10                 #   duplicates, and frames held back so that later
//   duplicate_percent = 1          #   ones pass them (reorder_percent)
//   reorder_percent = 5
//   link = "main"                  # default: the first link served
//   vlan = 10                      # 802.1Q: the DHCP hosts' frames carry this tag
//
// raw_binder must take frames for MACs that are not its interface's: run it
// with --promisc.
#include <CLI/CLI.hpp>
#include <caf/actor_cast.hpp>
#include <caf/send.hpp>
#include <spdlog/spdlog.h>

#include "actors/messages.hpp"
#include "actors/tell.hpp"
#include "apps/host/host_responders.hpp"
#include "apps/sim/host_actors.hpp"
#include "apps/sim/probe_command.hpp"
#include "apps/sim/sim_messages.hpp"
#include "apps/sim/sim_stage.hpp"
#include "server/applications.hpp"
#include "server/config_reading.hpp"

namespace etherbeam::apps::sim {

namespace {

constexpr std::int64_t max_hosts = 1'000'000;

struct group_settings {
  std::int64_t count = 0;
  protocols::mac_address first_mac;
  std::optional<protocols::ipv4_interface> first_address; // none: by DHCP
  std::string link;
  std::uint16_t vlan = 0;
  group_timing timing;
  int line = 0;
};

std::string where(const toml::node& node, const std::string& key) {
  return "[[apps.sim.group]] " + key + " (line " + std::to_string(node.source().begin.line) + ")";
}

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

// Every host of every group, checked: on a served link, inside its subnet
// (not its network or broadcast address), not one of etherbeam's own.
std::vector<host_spec> hosts_of(const std::vector<group_settings>& groups, const actors::link_directory& links) {
  std::vector<host_spec> hosts;
  for (const auto& g : groups) {
    actors::link_index link = 0;
    if (!g.link.empty()) {
      while (link < links.size() && links.at(link).name != g.link) ++link;
      if (link == links.size())
        throw server::config_error("[[apps.sim.group]] at line " + std::to_string(g.line) + ": no [[link]] named \"" +
                                   g.link + "\"");
    }
    auto group = static_cast<std::uint16_t>(&g - groups.data());
    if (!g.first_address) {
      for (std::int64_t i = 0; i < g.count; ++i)
        hosts.push_back({link, mac_plus(g.first_mac, static_cast<std::uint64_t>(i)), std::nullopt,
                         static_cast<host_index>(hosts.size()), group, g.vlan});
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
                       static_cast<host_index>(hosts.size()), group, g.vlan});
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
std::string percentile(const actors::histogram& h, double q) {
  auto total = h.count.load();
  if (!total) return "-";
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < h.buckets.size(); ++i) {
    seen += h.buckets[i].load();
    if (static_cast<double>(seen) >= q * static_cast<double>(total))
      return i < h.bounds.size() ? "<=" + std::to_string(h.bounds[i]) + " ms" : ">" + std::to_string(h.bounds.back()) +
                                                                                    " ms";
  }
  return "-";
}

std::string status_of(const host_world& world) {
  std::size_t statics = 0;
  for (const auto& h : world.hosts) statics += h.address.has_value();
  const auto& c = *world.counters;
  std::string out = std::to_string(world.hosts.size()) + " hosts: " + std::to_string(statics) + " static, " +
                    std::to_string(world.hosts.size() - statics) + " by DHCP\n";
  if (statics < world.hosts.size()) {
    out += "  by state:";
    for (std::size_t s = 0; s < c.in_state.size(); ++s)
      if (auto n = c.in_state[s].load()) out += " " + std::string(to_string(static_cast<client_state>(s))) + " " +
                                                std::to_string(n);
    out += "\n  DISCOVER to BOUND: " + std::to_string(c.dora_ms.count.load()) + " times, p50 " +
           percentile(c.dora_ms, 0.5) + ", p90 " + percentile(c.dora_ms, 0.9) + ", p99 " +
           percentile(c.dora_ms, 0.99) + "\n  renewals: " + std::to_string(c.renewals.value.load()) + " (" +
           std::to_string(c.rebinds.value.load()) + " by rebinding), p50 " +
           percentile(c.renew_ms, 0.5) + ", p99 " + percentile(c.renew_ms, 0.99) +
           "\n  retransmissions " + std::to_string(c.retransmissions.value.load()) + ", NAKs " +
           std::to_string(c.naks.value.load()) + ", conflicts declined " + std::to_string(c.declines.value.load()) +
           ", releases " + std::to_string(c.releases.value.load()) + "\n";
  }
  out += "  answers sent " + std::to_string(c.replies.value.load()) + ", host restarts " +
         std::to_string(c.crashes.value.load()) + "\n";
  return out;
}

// The avalanche: every DHCP host at once, INIT-REBOOT with the address it held.
std::string reboot_all(const host_world& world) {
  std::size_t n = 0;
  for (const auto& h : world.hosts)
    if (!h.address) {
      caf::anon_send(world.handles->get(h.index), host_reboot_atom::value);
      ++n;
    }
  return std::to_string(n) + " DHCP hosts rebooting (INIT-REBOOT with the address each held)\n";
}

std::optional<server::running_application> start(const server::application_start& start) {
  auto groups = read_settings(start.settings);
  if (groups.empty()) throw server::config_error("sim: no [[apps.sim.group]] tables: nothing to simulate");
  auto world = std::make_shared<host_world>();
  world->hosts = hosts_of(groups, *start.links);
  world->directory = std::make_shared<host_directory>();
  for (const auto& h : world->hosts) {
    if (!world->directory->add(h.link, h.mac))
      throw server::config_error("[[apps.sim.group]]: two hosts have the MAC " + h.mac.to_string());
    if (h.address) world->directory->set_address(h.index, h.address->address);
  }
  world->handles = std::make_shared<host_handles>();
  auto answer_counters = std::make_shared<actors::counter_registry>();
  world->answers = std::shared_ptr<const actors::dispatcher>(
    new actors::dispatcher(host::host_registrations(*answer_counters), *answer_counters),
    [answer_counters](const actors::dispatcher* d) { delete d; }); // the registry lives as long as it
  world->counters = std::make_shared<sim_counters>(start.counters->named);
  for (const auto& g : groups) world->groups.push_back(g.timing);
  spdlog::info("sim: {} hosts in {} groups", world->hosts.size(), groups.size());

  auto handles = world->handles;
  auto stage = std::make_shared<sim_stage>(
    world->directory, start.counters->named,
    [handles](host_index host, protocols::byte_view bytes, caf::execution_unit* here) {
      auto actor = handles->get(host);
      if (!actor) return false;
      actors::tell(here, actor, host_frame_atom::value, actors::frame{bytes});
      return true;
    });
  server::running_application app;
  app.registrations.push_back({"sim", actors::frame_match::every(), stage});
  app.children.push_back({"sim_hosts", [world = std::shared_ptr<const host_world>(world)](caf::actor_system& s) {
                            return spawn_host_manager(s, world);
                          }});
  app.commands.push_back({"sim", "the simulated hosts: `sim status` (by DHCP state, latencies, retransmissions), "
                                 "`sim reboot` (every DHCP host at once), `sim arp HOST TARGET`, "
                                 "`sim ping HOST TARGET [COUNT]` (a host looks for TARGET on its link)",
                          [world = std::shared_ptr<const host_world>(world)](
                            caf::blocking_actor* self, std::string_view arguments, ipc::unique_fd&) -> std::string {
                            if (arguments == "reboot") return reboot_all(*world);
                            if (arguments.empty() || arguments == "status") return status_of(*world);
                            if (arguments.starts_with("arp ") || arguments.starts_with("ping "))
                              return probe_command(self, *world, arguments);
                            return "error: sim " + std::string(arguments) + ": say status, reboot, arp or ping\n";
                          }});
  return app;
}

server::command_line_part command_line(CLI::App& app) {
  auto* sim = app.add_subcommand("sim", "Ask a running etherbeam about its simulated hosts (`etherbeam sim status`)");
  sim->fallthrough();
  auto* status = sim->add_subcommand("status", "Hosts by DHCP state, latencies, retransmissions, answers");
  auto* reboot = sim->add_subcommand("reboot", "Every DHCP host reboots at once (INIT-REBOOT): the avalanche "
                                               "a server meets after a power cut");
  struct probe_arguments {
    std::string host, target;
    unsigned count = 3;
  };
  auto asked = std::make_shared<probe_arguments>();
  auto* arp = sim->add_subcommand("arp", "A simulated host ARPs for TARGET on its link, as arping would, "
                                         "and says who answered");
  auto* ping = sim->add_subcommand("ping", "A simulated host pings TARGET on its link (ARP first), as ping "
                                           "would, and says what came back");
  for (auto* probe : {arp, ping}) {
    probe->add_option("host", asked->host, "The simulated host, by its MAC or its address")->required();
    probe->add_option("target", asked->target, "The address it looks for (on its own subnet)")->required();
  }
  ping->add_option("-c,--count", asked->count, "Echo requests, one at a time (1 to 100)")
    ->check(CLI::Range(1, 100))
    ->capture_default_str();
  server::command_line_part part;
  part.run_subcommand = [sim, status, reboot, arp, ping, asked](const server::server_config& config)
    -> std::optional<int> {
    if (!sim->parsed()) return std::nullopt;
    if (reboot->parsed()) return server::control_command(config.socket_dir, "sim reboot");
    if (arp->parsed())
      return server::control_command(config.socket_dir, "sim arp " + asked->host + " " + asked->target);
    if (ping->parsed())
      return server::control_command(config.socket_dir, "sim ping " + asked->host + " " + asked->target + " " +
                                                          std::to_string(asked->count));
    if (!status->parsed()) {
      std::cerr << "etherbeam sim: say what: status, reboot, arp or ping\n";
      return 2;
    }
    return server::control_command(config.socket_dir, "sim status");
  };
  return part;
}

const bool added = server::add_application({
  "sim",
  "simulated hosts, an actor each, answering ARP and ping with their own MACs and addresses, static or "
  "taken by DHCP: [[apps.sim.group]] count, mac, address (or \"dhcp\"), link, start_spread_seconds "
  "(raw_binder needs --promisc)",
  false,
  start,
  command_line, {}, {},
});

} // namespace

} // namespace etherbeam::apps::sim
