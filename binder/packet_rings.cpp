#include "binder/packet_rings.hpp"

#include "protocols/offloaded_checksum.hpp"

#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstring>
#include <stdexcept>
#include <string>

namespace etherbeam::binder {

namespace {

// Room before each received frame for the VLAN tag put back in place.
constexpr int reserve = 4;
// Enough for bursts of a few milliseconds at the rates raw_binder relays
// (256 slots of jumbo-frame size); a ring whose slots hold 64 KiB
// super-frames (the TCP lane) gets as many as fit in the same memory.
constexpr std::size_t rx_v2_bytes = 256 * 10240, rx_v2_min_frames = 32;
constexpr std::size_t tx_frames = 128;
constexpr std::size_t rx_v3_block = 128 * 1024, rx_v3_blocks = 16;
// A v3 block is handed over at the latest this long after its first frame.
constexpr unsigned v3_block_timeout_ms = 1;

std::size_t round_up(std::size_t n, std::size_t to) { return (n + to - 1) / to * to; }

std::uint32_t load_status(const volatile std::uint32_t* s) {
  return __atomic_load_n(const_cast<const std::uint32_t*>(s), __ATOMIC_ACQUIRE);
}
void store_status(volatile std::uint32_t* s, std::uint32_t v) {
  __atomic_store_n(const_cast<std::uint32_t*>(s), v, __ATOMIC_RELEASE);
}

[[noreturn]] void refused(const std::string& what) {
  throw std::runtime_error("cannot set up PACKET_MMAP (" + what + "): " + std::strerror(errno) +
                           " (the kernel lacks TPACKET_V3 transmit rings before Linux 4.11; "
                           "--packet-io mmap-v2 or copy work everywhere)");
}

void set_option(int fd, int name, const void* value, socklen_t len, const char* what) {
  if (::setsockopt(fd, SOL_PACKET, name, value, len) != 0) refused(what);
}

frame_kind kind_of(const sockaddr_ll& from, std::uint32_t snaplen, std::uint32_t len) {
  if (from.sll_pkttype == PACKET_OUTGOING) return frame_kind::outgoing;
  return snaplen < len ? frame_kind::truncated : frame_kind::frame;
}

// A frame as on the wire: a tag the kernel took off (VLAN offload) goes back
// into the reserved room before it.
received_frame on_the_wire(std::uint8_t* start, std::size_t len, frame_kind kind, std::uint32_t status,
                           std::uint16_t tci, std::uint16_t tpid) {
  if ((status & TP_STATUS_VLAN_VALID) && len >= 12) {
    start = put_back_vlan_tag(start, (status & TP_STATUS_VLAN_TPID_VALID) ? tpid : ETH_P_8021Q, tci);
    len += vlan_tag_len;
  }
  bool completed = (status & TP_STATUS_CSUMNOTREADY) && kind == frame_kind::frame &&
                   protocols::complete_offloaded_checksum({start, len});
  return {{start, len}, kind, completed};
}

} // namespace

std::optional<packet_io> parse_packet_io(std::string_view text) {
  if (text == "mmap-v2") return packet_io::mmap_v2;
  if (text == "mmap-v3") return packet_io::mmap_v3;
  if (text == "copy") return packet_io::copy;
  return std::nullopt;
}

std::string_view to_string(packet_io io) {
  switch (io) {
    case packet_io::mmap_v2: return "mmap-v2";
    case packet_io::mmap_v3: return "mmap-v3";
    case packet_io::copy: return "copy";
  }
  return "?";
}

packet_rings::packet_rings(int packet_fd, packet_io version, std::size_t max_frame, bool transmit,
                           std::size_t whole_up_to)
    : fd_(packet_fd), version_(version), whole_up_to_(whole_up_to > max_frame ? whole_up_to : 0) {
  bool v3 = version == packet_io::mmap_v3;
  int tpacket = v3 ? TPACKET_V3 : TPACKET_V2;
  set_option(fd_, PACKET_VERSION, &tpacket, sizeof tpacket, "PACKET_VERSION");
  set_option(fd_, PACKET_RESERVE, &reserve, sizeof reserve, "PACKET_RESERVE");
  // A frame the kernel cannot send is skipped rather than left blocking the
  // transmit ring at its slot.
  int loss = 1;
  set_option(fd_, PACKET_LOSS, &loss, sizeof loss, "PACKET_LOSS");
  if (whole_up_to_ && !v3) {
    int copy = 1;
    set_option(fd_, PACKET_COPY_THRESH, &copy, sizeof copy, "PACKET_COPY_THRESH");
  }

  std::size_t header = v3 ? TPACKET3_HDRLEN : TPACKET2_HDRLEN;
  tx_data_offset_ = header - sizeof(sockaddr_ll); // where the kernel reads a frame to send
  // The kernel puts a frame at TPACKET_ALIGN(header + 16) + reserve - 14.
  std::size_t slot = round_up(TPACKET_ALIGN(header + 16) + reserve + max_frame, 2048);
  std::size_t page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
  std::size_t slot_block = slot; // whole slots in whole pages
  while (slot_block % page) slot_block += slot;
  std::size_t per_block = slot_block / slot;
  std::size_t tx_count = transmit ? tx_frames : 0;
  tx_ = {nullptr, slot_block, tx_count * slot / slot_block, slot, tx_count};
  std::size_t rx_count = round_up(std::max(rx_v2_min_frames, rx_v2_bytes / slot), per_block);
  if (v3) rx_ = {nullptr, rx_v3_block, rx_v3_blocks, 2048, rx_v3_blocks * (rx_v3_block / 2048)};
  else rx_ = {nullptr, slot_block, rx_count / per_block, slot, rx_count};

  tpacket_req3 rx{};
  rx.tp_block_size = static_cast<unsigned>(rx_.block_size);
  rx.tp_block_nr = static_cast<unsigned>(rx_.block_count);
  rx.tp_frame_size = static_cast<unsigned>(rx_.frame_size);
  rx.tp_frame_nr = static_cast<unsigned>(rx_.frame_count);
  if (v3) rx.tp_retire_blk_tov = v3_block_timeout_ms;
  tpacket_req3 tx{};
  tx.tp_block_size = static_cast<unsigned>(tx_.block_size);
  tx.tp_block_nr = static_cast<unsigned>(tx_.block_count);
  tx.tp_frame_size = static_cast<unsigned>(tx_.frame_size);
  tx.tp_frame_nr = static_cast<unsigned>(tx_.frame_count);
  // tpacket_req is the first part of tpacket_req3: v2 takes the shorter one.
  socklen_t req_len = v3 ? sizeof(tpacket_req3) : sizeof(tpacket_req);
  set_option(fd_, PACKET_RX_RING, &rx, req_len, "receive ring");
  if (transmit) set_option(fd_, PACKET_TX_RING, &tx, req_len, "transmit ring");

  std::size_t rx_bytes = rx_.block_size * rx_.block_count;
  map_bytes_ = rx_bytes + tx_.block_size * tx_.block_count;
  void* map = ::mmap(nullptr, map_bytes_, PROT_READ | PROT_WRITE, MAP_SHARED, fd_, 0);
  if (map == MAP_FAILED) refused("mmap");
  map_ = static_cast<std::uint8_t*>(map);
  rx_.base = map_;
  tx_.base = map_ + rx_bytes;

  messages_.resize(tx_count);
  vectors_.resize(tx_count);
  control_.resize(tx_count * ipc::credentials_space);
  overflow_.resize(slot);
}

packet_rings::~packet_rings() {
  if (map_) ::munmap(map_, map_bytes_);
}

volatile std::uint32_t* packet_rings::tx_status(std::size_t i) const {
  auto* slot = tx_slot(i);
  if (version_ == packet_io::mmap_v3) return &reinterpret_cast<tpacket3_hdr*>(slot)->tp_status;
  return &reinterpret_cast<tpacket2_hdr*>(slot)->tp_status;
}

std::size_t packet_rings::take(std::size_t max, std::vector<received_frame>& out) {
  return version_ == packet_io::mmap_v3 ? take_v3(max, out) : take_v2(max, out);
}

std::size_t packet_rings::take_v2(std::size_t max, std::vector<received_frame>& out) {
  std::size_t n = 0;
  for (; n < max; ++n) {
    auto* h = reinterpret_cast<tpacket2_hdr*>(rx_.base + rx_next_ * rx_.frame_size);
    auto status = load_status(&h->tp_status);
    if (!(status & TP_STATUS_USER)) break;
    auto* raw = reinterpret_cast<std::uint8_t*>(h);
    auto& from = *reinterpret_cast<const sockaddr_ll*>(raw + TPACKET_ALIGN(sizeof(tpacket2_hdr)));
    std::uint8_t* start = raw + h->tp_mac;
    std::uint32_t snaplen = h->tp_snaplen;
    if (status & TP_STATUS_COPY) { // too large for the slot: the whole frame waits on the socket
      if (auto whole = read_whole_copy()) {
        start = whole->data();
        snaplen = static_cast<std::uint32_t>(whole->size());
      }
    }
    auto kind = kind_of(from, snaplen, h->tp_len);
    if (kind == frame_kind::truncated && whole_up_to_ && h->tp_len <= whole_up_to_ && !(status & TP_STATUS_COPY))
      kind = frame_kind::no_room_for_whole;
    out.push_back(on_the_wire(start, snaplen, kind, status, h->tp_vlan_tci, h->tp_vlan_tpid));
    taken_.push_back(rx_next_);
    rx_next_ = (rx_next_ + 1) % rx_.frame_count;
  }
  return n;
}

std::size_t packet_rings::take_v3(std::size_t max, std::vector<received_frame>& out) {
  std::size_t n = 0;
  while (n < max) {
    auto* block = reinterpret_cast<tpacket_block_desc*>(rx_.base + rx_next_ * rx_.block_size);
    if (!v3_packet_) {
      if (!(load_status(&block->hdr.bh1.block_status) & TP_STATUS_USER)) {
        // Blocks are handed over in order, so the next one is ours or none is.
        // Linux 6.18 was seen handing over others while this one stayed the
        // kernel's: poll said readable forever and nothing was read (with
        // --packet-io mmap-v3, or the TCP lane's former v3 ring). Go on from
        // the oldest filled one.
        auto oldest = oldest_filled_v3_block();
        if (!oldest) break;
        rx_next_ = *oldest;
        ++resyncs_;
        continue;
      }
      v3_packets_left_ = block->hdr.bh1.num_pkts;
      v3_packet_ = reinterpret_cast<std::uint8_t*>(block) + block->hdr.bh1.offset_to_first_pkt;
    }
    if (v3_packets_left_ > 0) {
      auto* h = reinterpret_cast<tpacket3_hdr*>(v3_packet_);
      auto& from = *reinterpret_cast<const sockaddr_ll*>(v3_packet_ + TPACKET_ALIGN(sizeof(tpacket3_hdr)));
      out.push_back(on_the_wire(v3_packet_ + h->tp_mac, h->tp_snaplen, kind_of(from, h->tp_snaplen, h->tp_len),
                                h->tp_status, h->hv1.tp_vlan_tci, h->hv1.tp_vlan_tpid));
      ++n;
      v3_packet_ += h->tp_next_offset;
      --v3_packets_left_;
    }
    if (v3_packets_left_ == 0) { // the whole block is read: it goes back at release()
      taken_.push_back(rx_next_);
      rx_next_ = (rx_next_ + 1) % rx_.block_count;
      v3_packet_ = nullptr;
    }
  }
  return n;
}

std::optional<std::size_t> packet_rings::oldest_filled_v3_block() const {
  std::optional<std::size_t> oldest;
  std::uint64_t oldest_seq = 0;
  for (std::size_t i = 0; i < rx_.block_count; ++i) {
    if (std::find(taken_.begin(), taken_.end(), i) != taken_.end()) continue; // read in this take()
    auto* block = reinterpret_cast<tpacket_block_desc*>(rx_.base + i * rx_.block_size);
    if (!(load_status(&block->hdr.bh1.block_status) & TP_STATUS_USER)) continue;
    auto seq = block->hdr.bh1.seq_num;
    if (!oldest || seq < oldest_seq) oldest = i, oldest_seq = seq;
  }
  return oldest;
}

std::optional<std::span<std::uint8_t>> packet_rings::read_whole_copy() {
  if (whole_copies_used_ == whole_copies_.size()) whole_copies_.emplace_back(reserve + whole_up_to_);
  auto& buffer = whole_copies_[whole_copies_used_];
  // Room before the frame for a VLAN tag to go back, as in a slot.
  ssize_t n = ::recv(fd_, buffer.data() + reserve, whole_up_to_, MSG_DONTWAIT | MSG_TRUNC);
  if (n < 0 || static_cast<std::size_t>(n) > whole_up_to_) return std::nullopt;
  ++whole_copies_used_;
  return std::span<std::uint8_t>(buffer.data() + reserve, static_cast<std::size_t>(n));
}

void packet_rings::release() {
  whole_copies_used_ = 0;
  for (auto i : taken_) {
    if (version_ == packet_io::mmap_v3)
      store_status(&reinterpret_cast<tpacket_block_desc*>(rx_.base + i * rx_.block_size)->hdr.bh1.block_status,
                   TP_STATUS_KERNEL);
    else
      store_status(&reinterpret_cast<tpacket2_hdr*>(rx_.base + i * rx_.frame_size)->tp_status, TP_STATUS_KERNEL);
  }
  taken_.clear();
}

packet_rings::transmit_result packet_rings::transmit_from(int datagram_fd, std::size_t max,
                                                          ipc::trusted_senders& senders) {
  transmit_result r;
  std::size_t room = std::min(max, messages_.size());
  std::size_t free = 0;
  while (free < room && load_status(tx_status((tx_next_ + free) % tx_.frame_count)) == TP_STATUS_AVAILABLE)
    ++free;
  std::size_t capacity = tx_.frame_size - tx_data_offset_;
  for (std::size_t k = 0; k < std::max<std::size_t>(free, 1); ++k) {
    vectors_[k] = free ? iovec{tx_slot((tx_next_ + k) % tx_.frame_count) + tx_data_offset_, capacity}
                       : iovec{overflow_.data(), overflow_.size()};
    messages_[k].msg_hdr = {};
    messages_[k].msg_hdr.msg_iov = &vectors_[k];
    messages_[k].msg_hdr.msg_iovlen = 1;
    messages_[k].msg_hdr.msg_control = control_.data() + k * ipc::credentials_space;
    messages_[k].msg_hdr.msg_controllen = ipc::credentials_space;
  }
  int n = ::recvmmsg(datagram_fd, messages_.data(), static_cast<unsigned>(free ? free : 1), MSG_DONTWAIT, nullptr);
  if (n < 0) {
    r.received = errno == EAGAIN || errno == EINTR ? 0 : -1;
    return r;
  }
  r.received = n;
  if (!free) { // every slot is still being sent: this one is lost
    r.dropped = static_cast<std::size_t>(n);
    return r;
  }
  // Slots are filled in order with no gap: the kernel sends from its head
  // onwards and stops at the first slot that is not a send request.
  std::size_t filled = 0;
  for (int k = 0; k < n; ++k) {
    if (messages_[k].msg_hdr.msg_flags & MSG_TRUNC) {
      ++r.dropped;
      continue;
    }
    if (!senders.admits(messages_[k].msg_hdr)) { // its slot goes to the next datagram
      ++r.refused;
      continue;
    }
    auto slot = (tx_next_ + filled) % tx_.frame_count;
    auto* data = tx_slot(slot) + tx_data_offset_;
    if (data != vectors_[k].iov_base) std::memcpy(data, vectors_[k].iov_base, messages_[k].msg_len);
    if (version_ == packet_io::mmap_v3) {
      auto* h = reinterpret_cast<tpacket3_hdr*>(tx_slot(slot));
      h->tp_len = messages_[k].msg_len;
      h->tp_next_offset = 0;
    } else {
      reinterpret_cast<tpacket2_hdr*>(tx_slot(slot))->tp_len = messages_[k].msg_len;
    }
    store_status(tx_status(slot), TP_STATUS_SEND_REQUEST);
    ++filled;
  }
  tx_next_ = (tx_next_ + filled) % tx_.frame_count;
  r.queued = filled;
  // A send that fails now (no buffer space) leaves the requests in place: the
  // next one sends them too.
  if (filled) ::send(fd_, nullptr, 0, MSG_DONTWAIT);
  return r;
}

} // namespace etherbeam::binder
