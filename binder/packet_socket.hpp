#pragma once
// An AF_PACKET socket bound to one interface: whole Ethernet frames in and out.
#include <linux/filter.h>
#include <linux/if_packet.h>
#include <sys/socket.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "ipc/socket_pair.hpp"

namespace etherbeam::binder {

enum class frame_kind : std::uint8_t {
  frame,     // relay it
  outgoing,  // this host sent it: never relayed, no loops
  truncated, // longer than a slot
  // A super-frame longer than a ring slot whose whole copy the kernel had no
  // room to queue on the socket (its receive buffer was full): dropped.
  no_room_for_whole,
};

inline constexpr std::size_t vlan_tag_len = 4;
// Puts a VLAN tag the kernel took off (hardware VLAN offload; the tag comes in
// auxdata or the ring's slot header) back after the MAC addresses, as libpcap
// does for tcpdump. Needs vlan_tag_len bytes of room before `frame`; returns
// where the frame now starts.
std::uint8_t* put_back_vlan_tag(std::uint8_t* frame, std::uint16_t tpid, std::uint16_t tci);

class packet_socket {
public:
  // Needs CAP_NET_RAW. Throws std::runtime_error naming the interface and the
  // likely fix (missing capability, no such interface). With `filter`, only
  // the frames it keeps arrive (attached before the socket sees any frame).
  // With `vnet_header` each frame comes with a virtio_net_hdr that says a
  // super-frame's segment size (PACKET_VNET_HDR); the socket then only
  // receives (sending would need the header too).
  static packet_socket open(const std::string& interface, bool promiscuous,
                            std::span<const sock_filter> filter = {}, bool vnet_header = false);
  bool vnet_header() const { return vnet_header_; }

  int fd() const { return fd_.get(); }
  const std::string& interface() const { return interface_; }
  const std::string& mac() const { return mac_; }
  unsigned index() const { return index_; }
  // The interface's MTU now (0 if it cannot be read).
  unsigned mtu() const;

  // Puts frames on the wire, many per system call; returns how many went.
  std::size_t inject(std::span<const std::span<const std::uint8_t>> frames);

private:
  ipc::unique_fd fd_;
  std::string interface_;
  std::string mac_;
  unsigned index_ = 0;
  bool vnet_header_ = false;
};

// The virtio_net_hdr a PACKET_VNET_HDR socket puts before each frame, as in
// <linux/virtio_net.h> (which C++ cannot include: a member there is named
// "class"). The kernel writes it in the host's byte order.
struct virtio_net_header {
  std::uint8_t flags, gso_type;
  std::uint16_t header_len, gso_size, checksum_start, checksum_offset;
};
static_assert(sizeof(virtio_net_header) == 10);

// The segment size of a super-frame from the virtio_net_hdr before it (0: not a TCP super-frame).
std::uint16_t tcp_segment_size(const std::uint8_t* header);

// Frames read from a packet socket many per system call (recvmmsg), each given
// back as it was on the wire.
class packet_batch {
public:
  packet_batch(std::size_t slots, std::size_t slot_bytes);

  // Reads what is queued, up to slots(), without blocking: how many arrived
  // (0: none; -1: an error).
  int receive(const packet_socket& socket);
  frame_kind kind_of(std::size_t i) const { return slots_[i].what; }
  // The i-th frame as on the wire: a VLAN tag the kernel took off (hardware
  // VLAN offload, kept in auxdata) is put back, as libpcap does for tcpdump.
  std::span<const std::uint8_t> frame(std::size_t i) const { return {slots_[i].start, slots_[i].len}; }
  // Whether the i-th frame's TCP/UDP checksum was left to offload and finished here.
  bool checksum_completed(std::size_t i) const { return slots_[i].checksum_completed; }
  // The i-th frame's segment size when it is a TCP super-frame (vnet_header sockets), else 0.
  std::uint16_t segment_size(std::size_t i) const { return slots_[i].segment_size; }
  std::size_t slots() const { return slots_.size(); }

private:
  struct slot {
    sockaddr_ll from{};
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(tpacket_auxdata))];
    iovec vector{};
    const std::uint8_t* start = nullptr;
    std::size_t len = 0;
    frame_kind what{};
    bool checksum_completed = false;
    std::uint16_t segment_size = 0;
  };
  std::size_t slot_bytes_;
  // Left uninitialised: slots sized for 64 KiB super-frames cost memory only
  // where frames land.
  std::unique_ptr<std::uint8_t[]> storage_;
  std::vector<slot> slots_;
  std::vector<mmsghdr> messages_;
};

} // namespace etherbeam::binder
