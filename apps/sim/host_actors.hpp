#pragma once
// The simulated hosts as actors, the BEAM way: a process per host. Each
// answers what reaches it as a host with its MAC and address would (the
// host application's own responders: ARP, ICMP echo, port unreachable),
// and sends through its link's sender. One manager actor spawns them all,
// watches them, starts again any that crashes, and ends them when it ends.
#include <array>
#include <atomic>
#include <chrono>
#include <memory>
#include <shared_mutex>
#include <vector>

#include <caf/actor.hpp>
#include <caf/atom.hpp>

#include "actors/dispatcher.hpp"
#include "actors/link_index.hpp"
#include "apps/sim/dhcp_client.hpp"
#include "apps/sim/host_directory.hpp"
#include "apps/sim/impairment.hpp"

namespace caf {
class actor_system;
}

namespace etherbeam::apps::sim {

// A group's DHCP hosts start at random within this spread (RFC 2131 §4.4.1
// asks for a random wait of 1 to 10 s), so that they do not move in lockstep.
struct group_timing {
  std::chrono::milliseconds start_spread{10000};
  impairment link; // what the group's hosts send and receive goes through it
  client_timing dhcp;
};

struct host_spec {
  actors::link_index link = 0;
  protocols::mac_address mac;
  std::optional<protocols::ipv4_interface> address; // static; none: by DHCP
  host_index index = 0;
  std::uint16_t vlan = 0; // 802.1Q id its DHCP frames carry; 0: untagged
  std::shared_ptr<const group_timing> timing; // its group's, shared
};

// Every host there has been, by index: added at start and by `sim add`,
// removed by `sim remove` (its slot stays, empty). Read by the manager (to
// start a host again), by status and by the control commands.
class host_roster {
public:
  // Appends; the spec's index must be size().
  void add(host_spec spec);
  std::optional<host_spec> get(host_index host) const;
  // False when there is no such host (never was, or removed already).
  bool remove(host_index host);
  std::size_t size() const; // slots, removed ones included
  struct counts {
    std::size_t statics = 0, by_dhcp = 0;
  };
  counts live() const;
  std::vector<host_index> live_dhcp_hosts() const;
  std::vector<actors::link_index> links() const; // those live hosts are on

private:
  mutable std::shared_mutex lock_;
  std::vector<std::optional<host_spec>> hosts_;
  counts live_;
};

// Each host's actor, by index: the stage reads it for every frame it hands on.
class host_handles {
public:
  void resize(std::size_t n);
  void set(host_index host, caf::actor actor);
  caf::actor get(host_index host) const;

private:
  mutable std::shared_mutex lock_;
  std::vector<caf::actor> actors_;
};

struct sim_counters {
  explicit sim_counters(actors::counter_registry& c);
  actors::named_counter &replies, &crashes, &retransmissions, &naks, &declines, &releases, &renewals, &rebinds;
  // DHCP hosts in each state (client_state's order), kept as they move.
  std::array<std::atomic<std::int64_t>, 9> in_state{};
  // DISCOVER to BOUND, and RENEWING's REQUEST to its ACK, in milliseconds.
  actors::histogram &dora_ms, &renew_ms;
};

struct host_world {
  std::shared_ptr<host_roster> roster;
  std::shared_ptr<host_directory> directory;
  std::shared_ptr<host_handles> handles;
  // The host application's responders, deciding for a host's identity
  // (their counters in a registry of their own: not etherbeam's replies).
  std::shared_ptr<const actors::dispatcher> answers;
  std::shared_ptr<sim_counters> counters;
};

// Spawns the hosts in the roster, and later those a `sim add` appended
// (host_spawn_atom, first, end); `sim remove` sends each host host_remove_atom.
caf::actor spawn_host_manager(caf::actor_system& system, std::shared_ptr<const host_world> world);
// The manager's name in the registry, for the control commands.
inline constexpr auto host_manager_name = caf::atom("simhosts");

} // namespace etherbeam::apps::sim
