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
#include "apps/sim/sim_commands.hpp"
#include "apps/sim/sim_config.hpp"
#include "apps/sim/sim_messages.hpp"
#include "apps/sim/sim_stage.hpp"
#include "server/applications.hpp"
#include "server/config_reading.hpp"

namespace etherbeam::apps::sim {

namespace {

std::optional<server::running_application> start(const server::application_start& start) {
  auto groups = read_settings(start.settings);
  if (groups.empty()) throw server::config_error("sim: no [[apps.sim.group]] tables: nothing to simulate");
  auto world = std::make_shared<host_world>();
  world->roster = std::make_shared<host_roster>();
  world->directory = std::make_shared<host_directory>();
  for (auto& h : hosts_of(groups, *start.links)) {
    if (!world->directory->add(h.link, h.mac))
      throw server::config_error("[[apps.sim.group]]: two hosts have the MAC " + h.mac.to_string());
    if (h.address) world->directory->set_address(h.index, h.address->address);
    world->roster->add(std::move(h));
  }
  world->handles = std::make_shared<host_handles>();
  auto answer_counters = std::make_shared<actors::counter_registry>();
  world->answers = std::shared_ptr<const actors::dispatcher>(
    new actors::dispatcher(host::host_registrations(*answer_counters), *answer_counters),
    [answer_counters](const actors::dispatcher* d) { delete d; }); // the registry lives as long as it
  world->counters = std::make_shared<sim_counters>(start.counters->named);
  spdlog::info("sim: {} hosts in {} groups", world->roster->size(), groups.size());

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
                                 "`sim ping HOST TARGET [COUNT]` (a host looks for TARGET on its link), "
                                 "`sim add GROUP` (count = 10, mac = \"…\", address = \"dhcp\"), "
                                 "`sim remove HOST [COUNT]`",
                          [world = std::shared_ptr<const host_world>(world), links = start.links](
                            caf::blocking_actor* self, std::string_view arguments, ipc::unique_fd&) -> std::string {
                            if (arguments == "reboot") return reboot_all(*world);
                            if (arguments.empty() || arguments == "status") return status_of(*world);
                            if (arguments.starts_with("arp ") || arguments.starts_with("ping "))
                              return probe_command(self, *world, arguments);
                            if (arguments.starts_with("add "))
                              return add_command(self, *world, *links, arguments.substr(4));
                            if (arguments.starts_with("remove ")) return remove_command(*world, arguments);
                            return "error: sim " + std::string(arguments) +
                                   ": say status, reboot, arp, ping, add or remove\n";
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
  // A group as the config file's [[apps.sim.group]] says it, option by option.
  struct added_group {
    std::int64_t count = 0;
    std::string mac, address, link;
    std::int64_t vlan = 0;
    double start_spread = -1;
    unsigned removed = 1;
  };
  auto group = std::make_shared<added_group>();
  auto* add = sim->add_subcommand("add", "Add a group of hosts to the running etherbeam, as [[apps.sim.group]] "
                                         "would (all or none)");
  add->add_option("--count", group->count, "Hosts in the group")->required();
  add->add_option("--mac", group->mac, "The first host's MAC; the others count up")->required();
  add->add_option("--address", group->address, "The first host's address with its prefix (10.77.0.10/24), or dhcp")
    ->required();
  add->add_option("--link", group->link, "The [[link]] they are on (default: the first served)");
  add->add_option("--vlan", group->vlan, "802.1Q VLAN id their DHCP frames carry");
  add->add_option("--start-spread", group->start_spread, "Seconds within which DHCP hosts start, at random (10)");
  auto* remove = sim->add_subcommand("remove", "Remove a host (by MAC or address) and the COUNT - 1 after it by "
                                               "MAC; DHCP hosts release their leases");
  remove->add_option("host", asked->host, "The first host, by its MAC or its address")->required();
  remove->add_option("-c,--count", group->removed, "How many hosts, by consecutive MAC")->capture_default_str();
  server::command_line_part part;
  part.run_subcommand = [sim, status, reboot, arp, ping, add, remove, asked, group](
                          const server::server_config& config) -> std::optional<int> {
    if (!sim->parsed()) return std::nullopt;
    if (reboot->parsed()) return server::control_command(config.socket_dir, "sim reboot");
    if (add->parsed()) {
      auto quoted = [](const std::string& v) { return "\"" + v + "\""; }; // TOML strings; the server checks them
      std::string text = "count = " + std::to_string(group->count) + ", mac = " + quoted(group->mac) +
                         ", address = " + quoted(group->address);
      if (!group->link.empty()) text += ", link = " + quoted(group->link);
      if (group->vlan) text += ", vlan = " + std::to_string(group->vlan);
      if (group->start_spread >= 0) text += ", start_spread_seconds = " + std::to_string(group->start_spread);
      return server::control_command(config.socket_dir, "sim add " + text);
    }
    if (remove->parsed())
      return server::control_command(config.socket_dir,
                                     "sim remove " + asked->host + " " + std::to_string(group->removed));
    if (arp->parsed())
      return server::control_command(config.socket_dir, "sim arp " + asked->host + " " + asked->target);
    if (ping->parsed())
      return server::control_command(config.socket_dir, "sim ping " + asked->host + " " + asked->target + " " +
                                                          std::to_string(asked->count));
    if (!status->parsed()) {
      std::cerr << "etherbeam sim: say what: status, reboot, arp, ping, add or remove\n";
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
