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

#include "actors/dispatcher.hpp"
#include "actors/link_index.hpp"
#include "apps/sim/dhcp_client.hpp"
#include "apps/sim/host_directory.hpp"
#include "apps/sim/impairment.hpp"

namespace caf {
class actor_system;
}

namespace etherbeam::apps::sim {

struct host_spec {
  actors::link_index link = 0;
  protocols::mac_address mac;
  std::optional<protocols::ipv4_interface> address; // static; none: by DHCP
  host_index index = 0;
  std::uint16_t group = 0;
  std::uint16_t vlan = 0; // 802.1Q id its DHCP frames carry; 0: untagged
};

// A group's DHCP hosts start at random within this spread (RFC 2131 §4.4.1
// asks for a random wait of 1 to 10 s), so that they do not move in lockstep.
struct group_timing {
  std::chrono::milliseconds start_spread{10000};
  impairment link; // what the group's hosts send and receive goes through it
  client_timing dhcp;
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
  std::vector<host_spec> hosts;
  std::shared_ptr<host_directory> directory;
  std::shared_ptr<host_handles> handles;
  // The host application's responders, deciding for a host's identity
  // (their counters in a registry of their own: not etherbeam's replies).
  std::shared_ptr<const actors::dispatcher> answers;
  std::shared_ptr<sim_counters> counters;
  std::vector<group_timing> groups;
};

caf::actor spawn_host_manager(caf::actor_system& system, std::shared_ptr<const host_world> world);

} // namespace etherbeam::apps::sim
