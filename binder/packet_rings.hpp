#pragma once
// PACKET_MMAP: a receive ring and a transmit ring of frame slots mapped into
// raw_binder and shared with the kernel (the kernel's packet_mmap.rst).
// Received frames are read where the kernel wrote them and relayed from
// there; replies are read from etherbeam's datagrams straight into transmit
// slots, which the kernel sends without copying them again. Slots are handed
// back and forth by a status word in each slot's header, no system call.
#include <sys/socket.h>

#include <cstdint>
#include <deque>
#include <optional>
#include <span>
#include <string_view>
#include <utility>
#include <vector>

#include "binder/packet_socket.hpp"
#include "ipc/sender_credentials.hpp"

namespace etherbeam::binder {

// How raw_binder moves frames on the AF_PACKET side (--packet-io).
//   mmap-v2: TPACKET_V2 rings; the kernel signals every frame (lowest latency).
//   mmap-v3: TPACKET_V3 rings; frames packed in blocks that the kernel hands
//            over when full or after a 1 ms timeout: fewer wake-ups under load,
//            up to a millisecond more latency when traffic is light.
//   copy:    recvmmsg/sendmmsg into buffers of raw_binder's own.
enum class packet_io : std::uint8_t { mmap_v2, mmap_v3, copy };
std::optional<packet_io> parse_packet_io(std::string_view text);
std::string_view to_string(packet_io io);

struct received_frame {
  std::span<const std::uint8_t> bytes; // as on the wire: VLAN tag put back, checksum finished
  frame_kind kind;
  bool checksum_completed = false; // the sender had left it to offload
  std::uint16_t segment_size = 0;  // a TCP super-frame's, from its virtio_net_hdr (vnet sockets); else 0
};

class packet_rings {
public:
  // Sets the socket's TPACKET version (mmap_v2 or mmap_v3), sets up both
  // rings for frames of up to `max_frame` bytes and maps them. Throws
  // std::runtime_error saying what the kernel refused.
  // Without `transmit`, only the receive ring (a lane that only receives).
  // With `whole_up_to` above max_frame, larger frames (TCP super-frames of up
  // to 64 KiB) are still received whole: v3 blocks hold them, and with v2 the
  // kernel queues a copy on the socket beside the truncated slot
  // (PACKET_COPY_THRESH, TP_STATUS_COPY), which take() reads in its place.
  packet_rings(int packet_fd, packet_io version, std::size_t max_frame, bool transmit = true,
               std::size_t whole_up_to = 0);
  ~packet_rings();
  packet_rings(const packet_rings&) = delete;
  packet_rings& operator=(const packet_rings&) = delete;

  // Appends up to `max` frames the kernel has filled, in arrival order. They
  // stay valid, and their slots stay ours, until release().
  std::size_t take(std::size_t max, std::vector<received_frame>& out);
  // Hands the slots read by take() back to the kernel.
  void release();
  // How often take() found the kernel handing over v3 blocks other than the
  // one it expected next, and went on from the oldest the kernel had filled,
  // since the last call (as reading PACKET_STATISTICS resets the drops).
  std::uint64_t take_resyncs() { return std::exchange(resyncs_, 0); }

  struct transmit_result {
    int received = 0;       // datagrams read (-1: the read failed)
    std::size_t queued = 0; // handed to the kernel to send
    std::size_t dropped = 0; // no free slot, or larger than one
    std::size_t refused = 0; // from a sender `senders` does not admit
  };
  // Reads up to `max` datagrams from `datagram_fd` into free transmit slots
  // and has the kernel send them, one system call for the lot. When every
  // slot is still in flight the datagrams are read and dropped, never left
  // queued (poll would otherwise report them again at once, forever).
  // Datagrams from a sender `senders` does not admit are never sent.
  transmit_result transmit_from(int datagram_fd, std::size_t max, ipc::trusted_senders& senders);

private:
  struct ring {
    std::uint8_t* base = nullptr;
    std::size_t block_size = 0, block_count = 0, frame_size = 0, frame_count = 0;
  };
  std::size_t take_v2(std::size_t max, std::vector<received_frame>& out);
  std::size_t take_v3(std::size_t max, std::vector<received_frame>& out);
  // The v3 block the kernel filled first among those it has handed over and
  // take() has not read yet, if any.
  std::optional<std::size_t> oldest_filled_v3_block() const;
  // The whole frame behind a v2 slot marked TP_STATUS_COPY; nullopt when it cannot be read.
  std::optional<std::span<std::uint8_t>> read_whole_copy();
  std::uint8_t* tx_slot(std::size_t i) const { return tx_.base + i * tx_.frame_size; }
  volatile std::uint32_t* tx_status(std::size_t i) const;

  int fd_;
  packet_io version_;
  std::size_t tx_data_offset_;
  ring rx_, tx_;
  std::uint8_t* map_ = nullptr;
  std::size_t map_bytes_ = 0;
  // Receive side: the next slot (v2) or block and packet within it (v3).
  std::size_t rx_next_ = 0;
  std::size_t v3_packets_left_ = 0;
  std::uint8_t* v3_packet_ = nullptr;
  std::vector<std::size_t> taken_; // v2 slots, v3 whole blocks read
  std::uint64_t resyncs_ = 0;
  // v2: frames larger than a slot, read whole from the socket; kept until release().
  std::size_t whole_up_to_ = 0;
  std::deque<std::vector<std::uint8_t>> whole_copies_;
  std::size_t whole_copies_used_ = 0;
  // Transmit side: the next slot to fill, in step with the kernel's own head.
  std::size_t tx_next_ = 0;
  std::vector<mmsghdr> messages_;
  std::vector<iovec> vectors_;
  std::vector<std::uint8_t> control_; // each datagram's sender credentials
  std::vector<std::uint8_t> overflow_; // where datagrams go when no slot is free
};

} // namespace etherbeam::binder
