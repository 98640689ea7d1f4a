#include "ipc/socket_pair.hpp"

#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <stdexcept>

namespace etherbeam::ipc {

namespace fs = std::filesystem;

unique_fd& unique_fd::operator=(unique_fd&& o) noexcept {
  if (this != &o) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = o.release();
  }
  return *this;
}

unique_fd::~unique_fd() {
  if (fd_ >= 0) ::close(fd_);
}

sockaddr_un unix_address(const fs::path& path) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  const auto& s = path.native();
  if (s.size() >= sizeof addr.sun_path)
    throw std::runtime_error("socket path " + s + " is longer than " +
                             std::to_string(sizeof addr.sun_path - 1) +
                             " bytes; choose a shorter --socket-dir");
  std::memcpy(addr.sun_path, s.c_str(), s.size() + 1);
  return addr;
}

unique_fd open_datagram_socket() {
  unique_fd fd{::socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)};
  if (!fd) throw std::runtime_error(std::string("cannot create a UNIX datagram socket: ") +
                                    std::strerror(errno));
  return fd;
}

std::string render_link_info(const link_info& info) {
  return "interface=" + info.interface + "\nmac=" + info.mac + "\nmtu=" + std::to_string(info.mtu) + "\n";
}

std::optional<link_info> read_link_info(const fs::path& path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  link_info info;
  for (std::string line; std::getline(in, line);) {
    auto eq = line.find('=');
    if (eq == std::string::npos) continue;
    auto key = line.substr(0, eq);
    auto value = line.substr(eq + 1);
    if (key == "interface") info.interface = value;
    else if (key == "mac") info.mac = value;
    else if (key == "mtu") info.mtu = static_cast<unsigned>(std::strtoul(value.c_str(), nullptr, 10));
  }
  if (info.mac.empty()) return std::nullopt;
  return info;
}

} // namespace etherbeam::ipc
