#include "apps/sim/sim_commands.hpp"

#include <charconv>
#include <sstream>
#include <vector>

#include <caf/actor_cast.hpp>
#include <caf/actor_registry.hpp>
#include <caf/blocking_actor.hpp>
#include <caf/send.hpp>

#include "apps/sim/host_probe.hpp"
#include "apps/sim/sim_config.hpp"
#include "apps/sim/sim_messages.hpp"

namespace etherbeam::apps::sim {

namespace {

constexpr unsigned max_count = 100;

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

} // namespace

std::string status_of(const host_world& world) {
  auto live = world.roster->live();
  const auto& c = *world.counters;
  std::string out = std::to_string(live.statics + live.by_dhcp) + " hosts: " + std::to_string(live.statics) +
                    " static, " + std::to_string(live.by_dhcp) + " by DHCP\n";
  if (live.by_dhcp || c.dora_ms.count.load()) {
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
  auto hosts = world.roster->live_dhcp_hosts();
  for (auto h : hosts)
    if (auto actor = world.handles->get(h)) caf::anon_send(actor, host_reboot_atom::value);
  return std::to_string(hosts.size()) + " DHCP hosts rebooting (INIT-REBOOT with the address each held)\n";
}

namespace {

std::optional<host_index> find_host(const host_world& world, std::string_view text) {
  auto mac = protocols::mac_address::from_string(text);
  auto address = protocols::ipv4_address::from_string(text);
  for (auto link : world.roster->links()) {
    if (mac)
      if (auto host = world.directory->by_mac(link, *mac)) return host;
    if (address)
      if (auto host = world.directory->by_address(link, *address)) return host;
  }
  return std::nullopt;
}

} // namespace

std::string probe_command(caf::blocking_actor* self, const host_world& world, std::string_view arguments) {
  std::vector<std::string> words;
  std::istringstream in{std::string(arguments)};
  for (std::string w; in >> w;) words.push_back(w);
  bool ping = !words.empty() && words[0] == "ping";
  if (words.size() < 3 || words.size() > (ping ? 4u : 3u))
    return "error: say `sim arp HOST TARGET` or `sim ping HOST TARGET [COUNT]` (HOST: a simulated host's MAC or "
           "address)\n";
  auto host = find_host(world, words[1]);
  if (!host) return "error: no simulated host has the MAC or address " + words[1] + "\n";
  auto target = protocols::ipv4_address::from_string(words[2]);
  if (!target) return "error: " + words[2] + " is not an IPv4 address\n";
  unsigned count = 1;
  if (words.size() == 4) {
    auto [end, ec] = std::from_chars(words[3].data(), words[3].data() + words[3].size(), count);
    if (ec != std::errc{} || end != words[3].data() + words[3].size() || count == 0 || count > max_count)
      return "error: COUNT must be 1 to " + std::to_string(max_count) + ", not " + words[3] + "\n";
  }
  auto actor = world.handles->get(*host);
  if (!actor) return "error: host " + words[1] + " is not running (etherbeam is starting or stopping)\n";
  // ARP's three tries, then a second for each echo, and room to answer.
  auto within = host_probe::wait * (host_probe::arp_tries + count + 1);
  std::string reply;
  self->request(actor, within, host_probe_atom::value, static_cast<std::uint8_t>(ping ? probe_kind::ping : probe_kind::arp),
                target->value, static_cast<std::uint32_t>(count))
    .receive([&](std::string& r) { reply = std::move(r); },
             [&](caf::error& e) { reply = "error: host " + words[1] + " did not answer: " + self->system().render(e) + "\n"; });
  return reply;
}

std::string add_command(caf::blocking_actor* self, const host_world& world, const actors::link_directory& links,
                        std::string_view group) {
  std::vector<host_spec> hosts;
  auto first = static_cast<host_index>(world.roster->size());
  try {
    hosts = hosts_of({read_group_text(group)}, links, first);
  } catch (const std::exception& e) {
    return "error: sim add: " + std::string(e.what()) + "\n";
  }
  auto live = world.roster->live();
  if (live.statics + live.by_dhcp + hosts.size() > static_cast<std::size_t>(max_hosts))
    return "error: sim add: more than " + std::to_string(max_hosts) + " hosts in all\n";
  for (const auto& h : hosts) { // all or none
    if (world.directory->by_mac(h.link, h.mac))
      return "error: sim add: " + h.mac.to_string() + " is already a simulated host's MAC; nothing added\n";
    if (h.address && world.directory->by_address(h.link, h.address->address))
      return "error: sim add: " + h.address->address.to_string() +
             " is already a simulated host's address; nothing added\n";
  }
  auto manager = self->system().registry().get(host_manager_name);
  if (!manager) return "error: sim add: the hosts' manager is (re)starting; try again in a moment\n";
  for (const auto& h : hosts) {
    world.directory->add(h.link, h.mac);
    if (h.address) world.directory->set_address(h.index, h.address->address);
    world.roster->add(h);
  }
  auto end = static_cast<host_index>(first + hosts.size());
  self->send(caf::actor_cast<caf::actor>(manager), host_spawn_atom::value, first, end);
  const auto &a = hosts.front(), &z = hosts.back();
  return std::to_string(hosts.size()) + " hosts added: " + a.mac.to_string() + " to " + z.mac.to_string() +
         (a.address ? ", " + a.address->address.to_string() + " to " + z.address->address.to_string()
                    : std::string(", by DHCP")) +
         "\n";
}

std::string remove_command(const host_world& world, std::string_view arguments) {
  std::vector<std::string> words;
  std::istringstream in{std::string(arguments)};
  for (std::string w; in >> w;) words.push_back(w);
  if (words.size() < 2 || words.size() > 3) return "error: say `sim remove HOST [COUNT]` (HOST: a MAC or address)\n";
  auto first = find_host(world, words[1]);
  auto spec = first ? world.roster->get(*first) : std::nullopt;
  if (!spec) return "error: sim remove: no simulated host has the MAC or address " + words[1] + "\n";
  unsigned count = 1;
  if (words.size() == 3) {
    auto [end, ec] = std::from_chars(words[2].data(), words[2].data() + words[2].size(), count);
    if (ec != std::errc{} || end != words[2].data() + words[2].size() || count == 0 || count > max_hosts)
      return "error: sim remove: COUNT must be a whole number from 1, not " + words[2] + "\n";
  }
  unsigned removed = 0;
  for (unsigned i = 0; i < count; ++i) {
    auto host = world.directory->by_mac(spec->link, mac_plus(spec->mac, i));
    if (!host || !world.roster->remove(*host)) continue;
    world.directory->remove(*host);
    auto actor = world.handles->get(*host);
    world.handles->set(*host, {});
    if (actor) caf::anon_send(actor, host_remove_atom::value);
    ++removed;
  }
  return std::to_string(removed) + " hosts removed (from " + spec->mac.to_string() +
         "; DHCP hosts release their leases)\n";
}

} // namespace etherbeam::apps::sim
