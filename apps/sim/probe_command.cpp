#include "apps/sim/probe_command.hpp"

#include <charconv>
#include <set>
#include <sstream>
#include <vector>

#include <caf/blocking_actor.hpp>

#include "apps/sim/host_probe.hpp"
#include "apps/sim/sim_messages.hpp"

namespace etherbeam::apps::sim {

namespace {

constexpr unsigned max_count = 100;

std::optional<host_index> find_host(const host_world& world, std::string_view text) {
  std::set<actors::link_index> links;
  for (const auto& h : world.hosts) links.insert(h.link);
  auto mac = protocols::mac_address::from_string(text);
  auto address = protocols::ipv4_address::from_string(text);
  for (auto link : links) {
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

} // namespace etherbeam::apps::sim
