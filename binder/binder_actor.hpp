#pragma once
// The relay: frames from the NIC go to the logic server, datagrams from the
// logic server go onto the NIC. It never waits for the logic server: when that
// is slow, absent or restarting, frames are counted and dropped.
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "binder/packet_rings.hpp"
#include "binder/packet_socket.hpp"
#include "binder/traffic_lanes.hpp"
#include "ipc/datagram_batch.hpp"
#include "ipc/sender_credentials.hpp"
#include "ipc/socket_directory.hpp"
#include "ipc/socket_pair.hpp"

namespace caf {
class blocking_actor;
}

namespace etherbeam::binder {

struct binder_counters {
  std::atomic<std::uint64_t> frames_from_nic{0};
  std::atomic<std::uint64_t> checksums_completed{0}; // TCP/UDP checksums the sender left to offload
  std::atomic<std::uint64_t> frames_to_logic_server{0};
  std::atomic<std::uint64_t> dropped_logic_server_absent{0};
  // Left in a lane's ring while the logic server had no room, and dropped
  // there by the kernel when the ring filled (its PACKET_STATISTICS). Frames
  // already read when its queue filled are held and sent once it has room.
  std::atomic<std::uint64_t> dropped_at_ring{0};
  // Times a v3 ring was found handing over blocks out of order (packet_rings::resyncs).
  std::atomic<std::uint64_t> ring_resyncs{0};
  std::atomic<std::uint64_t> relay_errors{0};
  std::atomic<std::uint64_t> outgoing_skipped{0};
  std::atomic<std::uint64_t> nic_receive_errors{0};
  std::atomic<std::uint64_t> frames_from_logic_server{0};
  std::atomic<std::uint64_t> frames_injected{0};
  std::atomic<std::uint64_t> inject_errors{0};
  std::atomic<std::uint64_t> refused_untrusted_sender{0};
  // TCP super-frames (segmentation offload) cut into frames within the MTU,
  // the frames that made, and larger-than-MTU frames relayed as they came
  // because they were not TCP (UDP segmentation offload, a misconfigured MTU).
  std::atomic<std::uint64_t> super_frames_segmented{0};
  std::atomic<std::uint64_t> segments_from_super_frames{0};
  std::atomic<std::uint64_t> oversized_frames_relayed{0};
  // Super-frames too large for a ring slot (mmap-v2) whose whole copy the
  // kernel could not queue: the socket's receive buffer (rmem_max) was full.
  std::atomic<std::uint64_t> super_frames_dropped{0};
  std::atomic<std::uint64_t> link_lost{0};
  std::atomic<std::uint64_t> link_restored{0};

  std::string render() const;
};

// Largest frame relayed: jumbo frames with two VLAN tags.
inline constexpr std::size_t max_relayed_frame = 9216 + 64;
// Largest frame read from the interface: a local TCP sender on veth, a bridge
// or a tap hands over "super-frames" of up to 64 KiB for segmentation offload
// (one IP packet of up to 65,535 bytes, two tags). raw_binder cuts them into
// frames that fit the link MTU before relaying (protocols/tcp_segmentation).
inline constexpr std::size_t max_received_frame = 65535 + 14 + 8;

// The interface served, and how.
struct link_settings {
  std::string interface;
  bool promiscuous = false;
  packet_io io = packet_io::mmap_v2;
  unsigned lanes = 3; // see traffic_lanes.hpp
};

// A lane's socket, which only receives (the first lane is `nic`, which also sends).
struct receive_lane {
  traffic_lane lane;
  packet_socket socket;
  std::unique_ptr<packet_rings> rings; // null with --packet-io copy
};

// Everything the relay owns. The packet socket is opened while raw_binder
// still may (CAP_NET_RAW), the rest once it holds nothing more.
struct binder_resources {
  link_settings link;
  packet_socket nic;
  std::unique_ptr<packet_rings> rings; // null with --packet-io copy
  std::vector<receive_lane> more_lanes; // the lanes after nic's
  std::shared_ptr<ipc::socket_directory> directory; // where the link file goes
  ipc::unique_fd own_socket; // bound at socket_paths::binder(), SO_PASSCRED on
  ipc::datagram_peer logic_server; // a sending socket of its own, aimed at etherbeam's
  ipc::trusted_senders senders; // whose datagrams are injected
  std::shared_ptr<binder_counters> counters;
  std::size_t batch = 64; // frames per system call, each direction
  std::size_t link_mtu = 1500; // read when the interface is opened; super-frames are cut to it
};

// Opens the packet sockets on the interface, one per lane (and their rings):
// needs CAP_NET_RAW.
void open_nic(binder_resources& r);
// Tells etherbeam which interface is served and its MAC (the link file).
void announce_link(const binder_resources& r);

// Runs until it receives an exit message (checked between poll rounds).
void binder_actor(caf::blocking_actor* self, std::shared_ptr<binder_resources> resources);

} // namespace etherbeam::binder
