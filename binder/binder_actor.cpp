#include "binder/binder_actor.hpp"

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
// Frames handled per direction before the other direction gets its turn.
constexpr int batch = 64;
// Largest datagram accepted; GRO on veth can hand over up to 64 KiB.
constexpr std::size_t max_frame = 65536 + 64;

class relay {
public:
  explicit relay(binder_resources& r) : r_(r), c_(*r.counters) {}

  void nic_to_logic_server() {
    for (int i = 0; i < batch; ++i) {
      std::span<const std::uint8_t> frame;
      switch (r_.nic.receive(buffer_, frame)) {
        case packet_socket::receive_status::nothing: return;
        case packet_socket::receive_status::error: ++c_.nic_receive_errors; continue;
        case packet_socket::receive_status::outgoing: ++c_.outgoing_skipped; continue;
        case packet_socket::receive_status::frame: break;
      }
      ++c_.frames_from_nic;
      forward(frame);
    }
  }

  void logic_server_to_nic() {
    for (int i = 0; i < batch; ++i) {
      auto n = ::recv(r_.own_socket.get(), buffer_.data(), buffer_.size(), MSG_DONTWAIT);
      if (n < 0) return;
      ++c_.frames_from_logic_server;
      if (r_.nic.inject({buffer_.data(), static_cast<std::size_t>(n)})) ++c_.frames_injected;
      else ++c_.inject_errors;
    }
  }

private:
  void forward(std::span<const std::uint8_t> frame) {
    auto status = ipc::send_datagram(r_.own_socket.get(), r_.logic_server, frame);
    bool absent = status == ipc::send_status::peer_absent;
    switch (status) {
      case ipc::send_status::sent: ++c_.frames_to_logic_server; break;
      case ipc::send_status::peer_absent: ++c_.dropped_logic_server_absent; break;
      case ipc::send_status::peer_busy: ++c_.dropped_logic_server_busy; break;
      case ipc::send_status::failed: ++c_.relay_errors; break;
    }
    if (absent != logic_server_absent_) {
      logic_server_absent_ = absent;
      if (absent) spdlog::warn("logic server is not listening; dropping frames until it is back");
      else spdlog::info("logic server is back; relaying frames");
    }
  }

  binder_resources& r_;
  binder_counters& c_;
  std::array<std::uint8_t, max_frame> buffer_{};
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
  auto r = std::make_unique<relay>(*resources); // 64 KiB buffer: keep it off the stack
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
