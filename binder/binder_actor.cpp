#include "binder/binder_actor.hpp"

#include "ipc/datagram_batch.hpp"

#include <net/if.h>
#include <poll.h>
#include <sys/socket.h>

#include <array>
#include <chrono>
#include <optional>
#include <cstring>
#include <sstream>

#include <caf/blocking_actor.hpp>
#include <spdlog/spdlog.h>

#include "daemon/serving_loop.hpp"

namespace etherbeam::binder {

namespace {

// How often the loop looks at its mailbox when no frame arrives; bounds how
// long a shutdown takes without waking the CPU noticeably.
constexpr int mailbox_poll_ms = 200;

// How often a lost interface is looked for again.
constexpr auto link_retry = std::chrono::milliseconds(500);

class relay {
public:
  relay(binder_resources& r) : r_(r), c_(*r.counters) {
    if (!r.rings) {
      from_nic_.emplace(r.batch, max_relayed_frame);
      from_logic_server_.emplace(r.batch, max_relayed_frame, true);
    }
    received_.reserve(r.batch);
    frames_.reserve(r.batch);
  }

  void nic_to_logic_server() {
    // While the logic server's queue is full, frames are dropped here, as
    // read: not copied into datagrams only for the send to fail (shedding at
    // the ring, the cheapest place; they are counted as dropped busy).
    bool shedding = logic_server_full_ && !r_.logic_server.writable();
    if (!shedding) logic_server_full_ = false;
    received_.clear();
    if (r_.rings) {
      r_.rings->take(r_.batch, received_);
    } else {
      int n = from_nic_->receive(r_.nic);
      if (n < 0) ++c_.nic_receive_errors;
      for (int i = 0; i < n; ++i)
        received_.push_back({from_nic_->frame(i), from_nic_->kind_of(i), from_nic_->checksum_completed(i)});
    }
    frames_.clear();
    for (auto& f : received_) {
      switch (f.kind) {
        case frame_kind::outgoing: ++c_.outgoing_skipped; continue;
        case frame_kind::truncated: ++c_.nic_receive_errors; continue;
        case frame_kind::frame: break;
      }
      ++c_.frames_from_nic;
      if (shedding) {
        ++c_.dropped_logic_server_busy;
        continue;
      }
      c_.checksums_completed += f.checksum_completed;
      frames_.push_back(f.bytes);
    }
    if (!frames_.empty()) forward();
    if (r_.rings) r_.rings->release(); // the datagrams hold copies now
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
  void forward() {
    auto r = r_.logic_server.send(frames_);
    c_.frames_to_logic_server += r.sent;
    c_.dropped_logic_server_absent += r.peer_absent;
    c_.dropped_logic_server_busy += r.peer_busy;
    if (r.peer_busy) logic_server_full_ = true;
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
      << " dropped_logic_server_busy=" << dropped_logic_server_busy << " relay_errors=" << relay_errors
      << " outgoing_skipped=" << outgoing_skipped << " nic_receive_errors=" << nic_receive_errors
      << " frames_from_logic_server=" << frames_from_logic_server
      << " frames_injected=" << frames_injected << " inject_errors=" << inject_errors
      << " refused_untrusted_sender=" << refused_untrusted_sender << " link_lost=" << link_lost
      << " link_restored=" << link_restored;
  return out.str();
}

void open_nic(binder_resources& r) {
  r.rings.reset(); // unmapped before the socket it belongs to closes
  r.nic = packet_socket::open(r.link.interface, r.link.promiscuous);
  if (r.link.io != packet_io::copy)
    r.rings = std::make_unique<packet_rings>(r.nic.fd(), r.link.io, max_relayed_frame);
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
  r.rings.reset();
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
  std::array<pollfd, 2> fds{{{resources->nic.fd(), POLLIN, 0},
                             {resources->own_socket.get(), POLLIN, 0}}};
  auto next_look = std::chrono::steady_clock::now();
  bool went_down = false;
  daemon::serving_loop loop{self};
  loop.run([&] {
    if (went_down && resources->nic.fd() >= 0 && !nic_still_there(*resources)) {
      forget_lost_nic(*resources, ENODEV);
      went_down = false;
    }
    bool linked = resources->nic.fd() >= 0;
    if (!linked && std::chrono::steady_clock::now() >= next_look) {
      next_look = std::chrono::steady_clock::now() + link_retry;
      linked = reopen_nic(*resources);
    }
    fds[0].fd = resources->nic.fd(); // -1 while the interface is gone: poll skips it
    int timeout = linked ? mailbox_poll_ms : static_cast<int>(link_retry.count());
    if (::poll(fds.data(), fds.size(), timeout) <= 0) return;
    if (fds[0].revents & (POLLERR | POLLHUP | POLLNVAL)) {
      if (!nic_still_usable(*resources, went_down)) return;
    } else if (fds[0].revents) {
      went_down = false; // frames flow: it is up again
      r->nic_to_logic_server();
    }
    if (fds[1].revents && resources->nic.fd() >= 0) r->logic_server_to_nic();
    else if (fds[1].revents) r->drain_logic_server();
  });
}

} // namespace etherbeam::binder
