#include "binder/binder_actor.hpp"

#include "ipc/datagram_batch.hpp"

#include <net/if.h>
#include <poll.h>
#include <sys/socket.h>

#include <array>
#include <chrono>
#include <deque>
#include <optional>
#include <cstring>
#include <sstream>

#include <caf/blocking_actor.hpp>
#include <spdlog/spdlog.h>

#include "daemon/serving_loop.hpp"
#include "protocols/tcp_segmentation.hpp"

namespace etherbeam::binder {

namespace {

// How often the loop looks at its mailbox when no frame arrives; bounds how
// long a shutdown takes without waking the CPU noticeably.
constexpr int mailbox_poll_ms = 200;

// How often a lost interface is looked for again.
constexpr auto link_retry = std::chrono::milliseconds(500);
// How often the kernel's drops in the rings are added to dropped_at_ring.
constexpr auto drop_count_interval = std::chrono::milliseconds(500);

class relay {
public:
  relay(binder_resources& r) : r_(r), c_(*r.counters) {
    // The TCP lane is always read by copy (see open_nic), the others too with --packet-io copy.
    from_nic_.emplace(r.batch, max_received_frame + 16); // and a virtio_net_hdr before it
    if (!r.rings) from_logic_server_.emplace(r.batch, max_relayed_frame, true);
    received_.reserve(r.batch);
    frames_.reserve(r.batch);
  }

  // One batch from one lane to the logic server. Called only while the
  // logic server has room (waiting_for_room() is false): while it has none,
  // the lanes are not read at all, and each ring sheds its own frames.
  void nic_to_logic_server(const packet_socket& socket, packet_rings* rings) {
    received_.clear();
    if (rings) {
      rings->take(r_.batch, received_);
    } else {
      int n = from_nic_->receive(socket);
      if (n < 0) ++c_.nic_receive_errors;
      for (int i = 0; i < n; ++i)
        received_.push_back({from_nic_->frame(i), from_nic_->kind_of(i), from_nic_->checksum_completed(i),
                             from_nic_->segment_size(i)});
    }
    frames_.clear();
    for (auto& f : received_) {
      switch (f.kind) {
        case frame_kind::outgoing: ++c_.outgoing_skipped; continue;
        case frame_kind::truncated: ++c_.nic_receive_errors; continue;
        case frame_kind::no_room_for_whole: ++c_.super_frames_dropped; continue;
        case frame_kind::frame: break;
      }
      ++c_.frames_from_nic;
      c_.checksums_completed += f.checksum_completed;
      if (f.segment_size || f.bytes.size() > r_.link_mtu + ethernet_header_len) add_oversized(f.bytes, f.segment_size);
      else frames_.push_back(f.bytes);
    }
    if (!frames_.empty()) forward();
    segments_used_ = 0;
    if (rings) rings->release(); // the datagrams hold copies now
  }

  // The last send found the logic server's queue full: wait until it polls
  // writable before reading the lanes again.
  bool waiting_for_room() const { return logic_server_full_; }
  void room_again() { logic_server_full_ = false; }

  // What the logic server had no room for goes first once it has: frames
  // already read (and a super-frame's segments) are finished work for the
  // binder, and what sheds is the ring, before anything is copied.
  void send_held() {
    if (held_.empty()) return;
    frames_.assign(held_.begin(), held_.end());
    forward();
  }

  void logic_server_to_nic() {
    if (r_.rings) {
      auto t = r_.rings->transmit_from(r_.own_socket.get(), r_.batch, r_.senders);
      if (t.received <= 0) return;
      c_.frames_from_logic_server += static_cast<std::uint64_t>(t.received);
      c_.frames_injected += t.queued;
      c_.inject_errors += t.dropped;
      c_.refused_untrusted_sender += t.refused;
      return;
    }
    int n = from_logic_server_->receive(r_.own_socket.get());
    if (n <= 0) return;
    frames_.clear();
    for (int i = 0; i < n; ++i) {
      if (r_.senders.admits(from_logic_server_->header(i))) frames_.push_back(from_logic_server_->datagram(i));
      else ++c_.refused_untrusted_sender;
    }
    c_.frames_from_logic_server += static_cast<std::uint64_t>(n);
    if (frames_.empty()) return;
    auto injected = r_.nic.inject(frames_);
    c_.frames_injected += injected;
    c_.inject_errors += frames_.size() - injected;
  }

  // No interface to inject into: what etherbeam sends meanwhile is read and
  // counted, never left queued (poll would report it again at once).
  void drain_logic_server() {
    char discard[1];
    while (::recv(r_.own_socket.get(), discard, sizeof discard, MSG_DONTWAIT | MSG_TRUNC) >= 0) {
      ++c_.frames_from_logic_server;
      ++c_.inject_errors;
    }
  }

private:
  static constexpr std::size_t ethernet_header_len = 14;

  // One datagram stays one wire frame: a TCP super-frame goes on as the
  // frames a NIC would have cut it into.
  void add_oversized(std::span<const std::uint8_t> frame, std::uint16_t segment_size) {
    auto outcome = protocols::segment_tcp_frame(frame, r_.link_mtu, [&](std::span<const std::uint8_t> segment) {
      if (segments_used_ == segments_.size()) segments_.emplace_back();
      auto& copy = segments_[segments_used_++];
      copy.assign(segment.begin(), segment.end());
      frames_.push_back(copy);
      ++c_.segments_from_super_frames;
    }, segment_size);
    if (outcome == protocols::segmentation::segmented) {
      ++c_.super_frames_segmented;
      return;
    }
    if (outcome != protocols::segmentation::fits) ++c_.oversized_frames_relayed;
    frames_.push_back(frame);
  }

  // Keeps copies of `rest` (which may point into held_ itself) for send_held().
  void hold(std::span<const std::span<const std::uint8_t>> rest) {
    std::vector<std::vector<std::uint8_t>> kept;
    kept.reserve(rest.size());
    for (auto f : rest) kept.emplace_back(f.begin(), f.end());
    held_ = std::move(kept);
  }

  void forward() {
    auto r = r_.logic_server.send(frames_);
    c_.frames_to_logic_server += r.sent;
    c_.dropped_logic_server_absent += r.peer_absent;
    if (r.peer_busy) logic_server_full_ = true;
    hold(std::span(frames_).last(r.peer_busy));
    c_.relay_errors += r.failed;
    failures_.note(r);
    bool absent = r.sent ? false : r.peer_absent ? true : logic_server_absent_;
    if (absent != logic_server_absent_) {
      logic_server_absent_ = absent;
      if (absent) spdlog::warn("logic server is not listening; dropping frames until it is back");
      else spdlog::info("logic server is back; relaying frames");
    }
  }

  binder_resources& r_;
  binder_counters& c_;
  // --packet-io copy only: buffers of our own for recvmmsg.
  std::optional<packet_batch> from_nic_;
  std::optional<ipc::receive_batch> from_logic_server_;
  std::vector<received_frame> received_;
  std::vector<std::span<const std::uint8_t>> frames_;
  // The segments of this batch's super-frames; a deque, so that the frames_
  // pointing into earlier ones stay valid while it grows.
  std::deque<std::vector<std::uint8_t>> segments_;
  std::size_t segments_used_ = 0;
  std::vector<std::vector<std::uint8_t>> held_; // sent when the logic server has room again
  bool logic_server_absent_ = false;
  bool logic_server_full_ = false; // the last send found its queue full
  ipc::send_failure_report failures_{"raw_binder", r_.logic_server.path()};
};

} // namespace

std::string binder_counters::render() const {
  std::ostringstream out;
  out << "frames_from_nic=" << frames_from_nic << " checksums_completed=" << checksums_completed
      << " frames_to_logic_server=" << frames_to_logic_server
      << " dropped_logic_server_absent=" << dropped_logic_server_absent
      << " dropped_at_ring=" << dropped_at_ring << " ring_resyncs=" << ring_resyncs
      << " relay_errors=" << relay_errors
      << " outgoing_skipped=" << outgoing_skipped << " nic_receive_errors=" << nic_receive_errors
      << " frames_from_logic_server=" << frames_from_logic_server
      << " frames_injected=" << frames_injected << " inject_errors=" << inject_errors
      << " refused_untrusted_sender=" << refused_untrusted_sender
      << " super_frames_segmented=" << super_frames_segmented
      << " segments_from_super_frames=" << segments_from_super_frames
      << " oversized_frames_relayed=" << oversized_frames_relayed << " super_frames_dropped=" << super_frames_dropped
      << " link_lost=" << link_lost
      << " link_restored=" << link_restored;
  return out.str();
}

void open_nic(binder_resources& r) {
  r.rings.reset(); // unmapped before the socket it belongs to closes
  r.more_lanes.clear();
  auto lanes = lanes_for(r.link.lanes);
  if (lanes.empty()) throw std::runtime_error("--lanes must be 1 or 4");
  r.nic = packet_socket::open(r.link.interface, r.link.promiscuous, lane_filter(lanes.front()));
  if (r.link.io != packet_io::copy)
    r.rings = std::make_unique<packet_rings>(r.nic.fd(), r.link.io, max_relayed_frame, true, max_received_frame);
  if (auto mtu = r.nic.mtu()) r.link_mtu = mtu;
  for (std::size_t i = 1; i < lanes.size(); ++i) {
    // The TCP lane's frames come with a virtio_net_hdr: a super-frame's segment
    // size. It is read by copy (recvmmsg), whatever --packet-io says: v2's
    // fixed slots would hold few 64 KiB super-frames or few ACKs, and its
    // TPACKET_V3 ring, on Linux 6.18, now and then held frames back for tens
    // of seconds (a TCP connection through the router stalled; blocks came
    // out of order, see packet_rings::take_v3, and even going on from the
    // oldest one did not always help). The socket's receive buffer holds a
    // burst of a few super-frames; TCP sends again what it sheds.
    bool tcp = lanes[i] == traffic_lane::tcp;
    receive_lane lane{lanes[i],
                      packet_socket::open(r.link.interface, r.link.promiscuous, lane_filter(lanes[i]), tcp), {}};
    if (r.link.io != packet_io::copy && !tcp)
      lane.rings = std::make_unique<packet_rings>(lane.socket.fd(), r.link.io, max_relayed_frame, false);
    r.more_lanes.push_back(std::move(lane));
  }
}

void count_ring_drops(binder_resources& r) {
  auto drops = [](const packet_socket& s) -> std::uint64_t {
    tpacket_stats_v3 stats{}; // v2's tpacket_stats is its first part
    socklen_t len = sizeof stats;
    if (s.fd() < 0 || ::getsockopt(s.fd(), SOL_PACKET, PACKET_STATISTICS, &stats, &len) != 0) return 0;
    return stats.tp_drops; // reading them resets them
  };
  std::uint64_t dropped = drops(r.nic), resyncs = r.rings ? r.rings->take_resyncs() : 0;
  for (auto& lane : r.more_lanes) {
    dropped += drops(lane.socket);
    if (lane.rings) resyncs += lane.rings->take_resyncs();
  }
  r.counters->dropped_at_ring += dropped;
  r.counters->ring_resyncs += resyncs;
}

void announce_link(const binder_resources& r) {
  r.directory->replace_file(ipc::socket_paths::link_file_name,
                            ipc::render_link_info({r.link.interface, r.nic.mac(), r.nic.mtu()}));
}

namespace {

void forget_lost_nic(binder_resources& r, int error) {
  spdlog::error("{} is gone ({}); relaying stops until an interface of that name is back", r.link.interface,
                std::strerror(error ? error : ENODEV));
  ++r.counters->link_lost;
  count_ring_drops(r);
  r.rings.reset();
  r.more_lanes.clear();
  r.nic = packet_socket{};
}

// Whether the interface the socket is bound to still exists under its name.
bool nic_still_there(const binder_resources& r) {
  return ::if_nametoindex(r.link.interface.c_str()) == r.nic.index();
}

// The packet socket reported an error. An interface that went down comes back
// to the same socket by itself; one that was deleted leaves the socket bound
// to nothing, so it is closed and the interface looked for by name until it
// is back (recreated, or moved back into this namespace). Deleting an
// interface first takes it down, and the error can come while it still
// exists: `went_down` asks the caller to look again until frames flow.
bool nic_still_usable(binder_resources& r, bool& went_down) {
  int error = 0;
  socklen_t len = sizeof error;
  ::getsockopt(r.nic.fd(), SOL_SOCKET, SO_ERROR, &error, &len); // reading it clears it
  if (nic_still_there(r)) {
    if (error) spdlog::warn("{}: {} (the interface went down?); frames resume when it is up", r.link.interface,
                            std::strerror(error));
    went_down = error != 0;
    return true;
  }
  forget_lost_nic(r, error);
  went_down = false;
  return false;
}

bool reopen_nic(binder_resources& r) {
  if (::if_nametoindex(r.link.interface.c_str()) == 0) return false;
  try {
    open_nic(r);
    announce_link(r);
  } catch (const std::exception& e) {
    spdlog::warn("{} is back but cannot be served yet: {}", r.link.interface, e.what());
    r.rings.reset();
    r.more_lanes.clear();
    r.nic = packet_socket{};
    return false;
  }
  ++r.counters->link_restored;
  spdlog::info("{} is back (index {}, mac {}); relaying frames again", r.link.interface, r.nic.index(), r.nic.mac());
  return true;
}

} // namespace

void binder_actor(caf::blocking_actor* self, std::shared_ptr<binder_resources> resources) {
  auto r = std::make_unique<relay>(*resources);
  // The lanes first (nic's, then the others), then etherbeam's replies, then
  // the logic server's socket, polled for room only while it has none.
  std::vector<pollfd> fds;
  auto next_look = std::chrono::steady_clock::now();
  auto next_drop_count = next_look;
  std::size_t first_lane = 0; // turns: no lane always goes first
  bool went_down = false;
  daemon::serving_loop loop{self};
  loop.run([&] {
    auto now = std::chrono::steady_clock::now();
    if (went_down && resources->nic.fd() >= 0 && !nic_still_there(*resources)) {
      forget_lost_nic(*resources, ENODEV);
      went_down = false;
    }
    bool linked = resources->nic.fd() >= 0;
    if (!linked && now >= next_look) {
      next_look = now + link_retry;
      linked = reopen_nic(*resources);
    }
    if (now >= next_drop_count) {
      next_drop_count = now + drop_count_interval;
      count_ring_drops(*resources);
    }
    auto& lanes = resources->more_lanes;
    std::size_t lane_count = 1 + lanes.size();
    bool waiting = r->waiting_for_room();
    fds.assign(lane_count + 2, pollfd{-1, POLLIN, 0});
    // -1 while the interface is gone, or while etherbeam has no room: poll skips it.
    fds[0].fd = resources->nic.fd();
    if (waiting) fds[0].events = 0; // errors (the link went away) are still reported
    for (std::size_t i = 0; i < lanes.size(); ++i) fds[1 + i].fd = waiting ? -1 : lanes[i].socket.fd();
    fds[lane_count].fd = resources->own_socket.get();
    int room = resources->logic_server.fd_to_poll();
    if (waiting && room < 0) r->room_again(); // not connected: the next send finds out
    fds[lane_count + 1] = {waiting ? room : -1, POLLOUT, 0};
    int timeout = linked ? mailbox_poll_ms : static_cast<int>(link_retry.count());
    if (::poll(fds.data(), fds.size(), timeout) <= 0) return;
    if (fds[lane_count + 1].revents) r->room_again();
    // Replies first: they are finished work, and etherbeam waits for room
    // to send them rather than drop them.
    if (fds[lane_count].revents && resources->nic.fd() >= 0) r->logic_server_to_nic();
    else if (fds[lane_count].revents) r->drain_logic_server();
    if (fds[0].revents & (POLLERR | POLLHUP | POLLNVAL)) {
      if (!nic_still_usable(*resources, went_down)) return;
    } else if (!r->waiting_for_room()) {
      r->send_held();
      for (std::size_t k = 0; k < lane_count && !r->waiting_for_room(); ++k) {
        std::size_t i = (first_lane + k) % lane_count;
        if (!(fds[i].revents & POLLIN)) continue;
        went_down = false; // frames flow: it is up again
        if (i == 0) r->nic_to_logic_server(resources->nic, resources->rings.get());
        else r->nic_to_logic_server(lanes[i - 1].socket, lanes[i - 1].rings.get());
        // A lane's batch can take milliseconds (a ring block of TCP super-frames, each
        // cut into dozens of frames): take etherbeam's replies between lanes, so that
        // its wait for room (5 ms, then it drops) is not spent behind them. A TCP
        // sender's ACKs come back this way. Non-blocking: nothing there costs one recv.
        r->logic_server_to_nic();
      }
      first_lane = (first_lane + 1) % lane_count;
    }
  });
}

} // namespace etherbeam::binder
