#include "binder/binder_actor.hpp"

#include "binder/datagram_batch.hpp"

#include <poll.h>
#include <sys/socket.h>

#include <array>
#include <chrono>
#include <optional>
#include <sstream>

#include <caf/after.hpp>
#include <caf/blocking_actor.hpp>
#include <caf/exit_reason.hpp>
#include <spdlog/spdlog.h>

namespace etherbeam::binder {

namespace {

// How often the loop looks at its mailbox when no frame arrives; bounds how
// long a shutdown takes without waking the CPU noticeably.
constexpr int mailbox_poll_ms = 200;

class relay {
public:
  relay(binder_resources& r) : r_(r), c_(*r.counters) {
    if (!r.rings) {
      from_nic_.emplace(r.batch, max_relayed_frame);
      from_logic_server_.emplace(r.batch, max_relayed_frame);
    }
    received_.reserve(r.batch);
    frames_.reserve(r.batch);
  }

  void nic_to_logic_server() {
    received_.clear();
    if (r_.rings) {
      r_.rings->take(r_.batch, received_);
    } else {
      int n = from_nic_->receive(r_.nic);
      if (n < 0) ++c_.nic_receive_errors;
      for (int i = 0; i < n; ++i) received_.push_back({from_nic_->frame(i), from_nic_->kind_of(i)});
    }
    frames_.clear();
    for (auto& f : received_) {
      switch (f.kind) {
        case frame_kind::outgoing: ++c_.outgoing_skipped; continue;
        case frame_kind::truncated: ++c_.nic_receive_errors; continue;
        case frame_kind::frame: break;
      }
      ++c_.frames_from_nic;
      frames_.push_back(f.bytes);
    }
    if (!frames_.empty()) forward();
    if (r_.rings) r_.rings->release(); // the datagrams hold copies now
  }

  void logic_server_to_nic() {
    if (r_.rings) {
      auto t = r_.rings->transmit_from(r_.own_socket.get(), r_.batch);
      if (t.received <= 0) return;
      c_.frames_from_logic_server += static_cast<std::uint64_t>(t.received);
      c_.frames_injected += t.queued;
      c_.inject_errors += t.dropped;
      return;
    }
    int n = from_logic_server_->receive(r_.own_socket.get());
    if (n <= 0) return;
    frames_.clear();
    for (int i = 0; i < n; ++i) frames_.push_back(from_logic_server_->datagram(i));
    c_.frames_from_logic_server += static_cast<std::uint64_t>(n);
    auto injected = r_.nic.inject(frames_);
    c_.frames_injected += injected;
    c_.inject_errors += frames_.size() - injected;
  }

private:
  void forward() {
    auto r = r_.logic_server.send(frames_);
    c_.frames_to_logic_server += r.sent;
    c_.dropped_logic_server_absent += r.peer_absent;
    c_.dropped_logic_server_busy += r.peer_busy;
    c_.relay_errors += r.failed;
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
};

} // namespace

std::string binder_counters::render() const {
  std::ostringstream out;
  out << "frames_from_nic=" << frames_from_nic << " frames_to_logic_server=" << frames_to_logic_server
      << " dropped_logic_server_absent=" << dropped_logic_server_absent
      << " dropped_logic_server_busy=" << dropped_logic_server_busy << " relay_errors=" << relay_errors
      << " outgoing_skipped=" << outgoing_skipped << " nic_receive_errors=" << nic_receive_errors
      << " frames_from_logic_server=" << frames_from_logic_server
      << " frames_injected=" << frames_injected << " inject_errors=" << inject_errors;
  return out.str();
}

void binder_actor(caf::blocking_actor* self, std::shared_ptr<binder_resources> resources) {
  auto r = std::make_unique<relay>(*resources);
  std::array<pollfd, 2> fds{{{resources->nic.fd(), POLLIN, 0},
                             {resources->own_socket.get(), POLLIN, 0}}};
  bool running = true;
  while (running) {
    if (::poll(fds.data(), fds.size(), mailbox_poll_ms) > 0) {
      if (fds[0].revents) r->nic_to_logic_server();
      if (fds[1].revents) r->logic_server_to_nic();
    }
    // Only when a message waits: a receive with a zero timeout cost ~100 us
    // of this thread's time per round (measured), a ceiling on frames/s.
    if (self->mailbox().empty()) continue;
    self->receive(
      [&](caf::exit_msg& msg) {
        running = false;
        self->fail_state(std::move(msg.reason));
      },
      caf::after(std::chrono::seconds(0)) >> [] {});
  }
}

} // namespace etherbeam::binder
