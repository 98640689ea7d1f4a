#pragma once
// The lease manager: the long-lived, stateful DHCP actor. It owns the lease
// table and its journal, decides every DHCP message with dhcp_server, and
// sends each reply through the sender only once the lease change behind it
// is on disk. Changes that arrive together are committed together: one
// fdatasync for a whole batch (group commit). It runs on a thread of its own,
// so waiting for the disk never holds up the actor scheduler.
#include <memory>
#include <vector>

#include "apps/dhcp/dhcp_settings.hpp"
#include "apps/dhcp/dhcp_messages.hpp"
#include "actors/admission_gate.hpp"
#include "apps/dhcp/dhcp_counters.hpp"

namespace caf {
class actor_system;
}

namespace etherbeam::apps::dhcp {

struct lease_manager_settings {
  dhcp_settings dhcp;
  std::vector<protocols::ipv4_interface> own_addresses;
  std::shared_ptr<dhcp_counters> counters;
  std::shared_ptr<actors::admission_gate> backlog; // messages handed to it, not yet taken
  // Off only in deterministic actor tests (CAF's test coordinator runs
  // everything on the scheduler): the lease manager and its compaction writer
  // on the scheduler instead of on threads of their own.
  bool own_threads = true;
};

// Spawns it and registers it under lease_manager_registry_name.
lease_manager_actor spawn_lease_manager(caf::actor_system& system, lease_manager_settings settings);

// The journal's path under a state directory.
std::filesystem::path lease_journal_path(const std::filesystem::path& state_dir);

} // namespace etherbeam::apps::dhcp
