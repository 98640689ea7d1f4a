#include "binder/binder_actor.hpp"

#include "binder/datagram_batch.hpp"

#include <poll.h>
#include <sys/socket.h>

#include <array>
#include <chrono>
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
// Largest frame relayed: jumbo frames with two VLAN tags. A larger one (GRO
// on veth can hand over up to 64 KiB of coalesced TCP) is counted as a
// receive error: nothing etherbeam answers comes in such frames.
constexpr std::size_t max_frame = 9216 + 64;

class relay {
public:
  relay(binder_resources& r, std::size_t batch)
      : r_(r), c_(*r.counters), from_nic_(batch, max_frame), from_logic_server_(batch, max_frame) {
    frames_.reserve(batch);
  }

  void nic_to_logic_server() {
    int n = from_nic_.receive(r_.nic);
    if (n < 0) ++c_.nic_receive_errors;
    frames_.clear();
    for (int i = 0; i < n; ++i) {
      switch (from_nic_.kind_of(i)) {
        case packet_batch::kind::outgoing: ++c_.outgoing_skipped; continue;
        case packet_batch::kind::truncated: ++c_.nic_receive_errors; continue;
        case packet_batch::kind::frame: break;
      }
      ++c_.frames_from_nic;
      frames_.push_back(from_nic_.frame(i));
    }
    if (!frames_.empty()) forward();
  }

  void logic_server_to_nic() {
    int n = from_logic_server_.receive(r_.own_socket.get());
    if (n <= 0) return;
    frames_.clear();
    for (int i = 0; i < n; ++i) frames_.push_back(from_logic_server_.datagram(i));
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
  packet_batch from_nic_;
  ipc::receive_batch from_logic_server_;
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
  auto r = std::make_unique<relay>(*resources, resources->batch);
  std::array<pollfd, 2> fds{{{resources->nic.fd(), POLLIN, 0},
                             {resources->own_socket.get(), POLLIN, 0}}};
  bool running = true;
  while (running) {
    if (::poll(fds.data(), fds.size(), mailbox_poll_ms) > 0) {
      if (fds[0].revents) r->nic_to_logic_server();
      if (fds[1].revents) r->logic_server_to_nic();
    }
    self->receive(
      [&](caf::exit_msg& msg) {
        running = false;
        self->fail_state(std::move(msg.reason));
      },
      caf::after(std::chrono::seconds(0)) >> [] {});
  }
}

} // namespace etherbeam::binder
