#pragma once
// Stands in for raw_binder's socket in actor tests: a datagram socket bound
// in a directory of its own, and the replies that reached it.
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <vector>

#include "ipc/socket_pair.hpp"

namespace etherbeam::test_frames {

class binder_stand_in {
public:
  binder_stand_in() {
    char tmpl[] = "/tmp/etherbeam-binder-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
    socket_ = ipc::unique_fd(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    auto address = ipc::unix_address(path());
    ::bind(socket_.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address);
  }
  ~binder_stand_in() { std::filesystem::remove_all(dir_); }

  std::filesystem::path path() const { return dir_ / "beam_to_raw.sock"; }

  // The lengths of the datagrams that arrive, until `n` have or `patience`
  // passes with none.
  std::vector<std::size_t> lengths(std::size_t n, std::chrono::milliseconds patience = std::chrono::seconds(5)) {
    std::vector<std::size_t> seen;
    std::uint8_t buffer[65536];
    pollfd readable{socket_.get(), POLLIN, 0};
    while (seen.size() < n && ::poll(&readable, 1, static_cast<int>(patience.count())) > 0) {
      auto len = ::recv(socket_.get(), buffer, sizeof buffer, MSG_DONTWAIT);
      if (len >= 0) seen.push_back(static_cast<std::size_t>(len));
    }
    return seen;
  }

private:
  std::filesystem::path dir_;
  ipc::unique_fd socket_;
};

} // namespace etherbeam::test_frames
