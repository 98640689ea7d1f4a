#pragma once
// The relay: frames from the NIC go to the logic server, datagrams from the
// logic server go onto the NIC. It never waits for the logic server: when that
// is slow, absent or restarting, frames are counted and dropped.
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "binder/packet_rings.hpp"
#include "binder/packet_socket.hpp"
#include "binder/datagram_batch.hpp"
#include "binder/socket_pair.hpp"

namespace caf {
class blocking_actor;
}

namespace etherbeam::binder {

struct binder_counters {
  std::atomic<std::uint64_t> frames_from_nic{0};
  std::atomic<std::uint64_t> frames_to_logic_server{0};
  std::atomic<std::uint64_t> dropped_logic_server_absent{0};
  std::atomic<std::uint64_t> dropped_logic_server_busy{0};
  std::atomic<std::uint64_t> relay_errors{0};
  std::atomic<std::uint64_t> outgoing_skipped{0};
  std::atomic<std::uint64_t> nic_receive_errors{0};
  std::atomic<std::uint64_t> frames_from_logic_server{0};
  std::atomic<std::uint64_t> frames_injected{0};
  std::atomic<std::uint64_t> inject_errors{0};

  std::string render() const;
};

// Largest frame relayed: jumbo frames with two VLAN tags. A larger one (GRO
// on veth can hand over up to 64 KiB of coalesced TCP) is counted as a
// receive error: nothing etherbeam answers comes in such frames.
inline constexpr std::size_t max_relayed_frame = 9216 + 64;

// Everything the relay owns, opened before privileges are dropped.
struct binder_resources {
  packet_socket nic;
  ipc::unique_fd own_socket; // bound at socket_paths::binder()
  ipc::datagram_peer logic_server; // a sending socket of its own, aimed at etherbeam's
  std::shared_ptr<binder_counters> counters;
  std::size_t batch = 64; // frames per system call, each direction
  std::unique_ptr<packet_rings> rings; // null with --packet-io copy
};

// Runs until it receives an exit message (checked between poll rounds).
void binder_actor(caf::blocking_actor* self, std::shared_ptr<binder_resources> resources);

} // namespace etherbeam::binder
