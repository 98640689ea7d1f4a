#include "binder/socket_pair.hpp"

#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
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

namespace {

unique_fd new_datagram_socket() {
  unique_fd fd{::socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)};
  if (!fd) throw std::runtime_error(std::string("cannot create a UNIX datagram socket: ") +
                                    std::strerror(errno));
  return fd;
}

// A datagram socket file accepts connect() only while someone is bound to it.
bool someone_bound_at(const sockaddr_un& addr) {
  auto probe = new_datagram_socket();
  return ::connect(probe.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0;
}

} // namespace

unique_fd open_datagram_socket() { return new_datagram_socket(); }

unique_fd bind_datagram_socket(const fs::path& path, int receive_buffer_bytes) {
  std::error_code ec;
  fs::create_directories(path.parent_path(), ec);
  if (ec)
    throw std::runtime_error("cannot create socket directory " + path.parent_path().string() +
                             ": " + ec.message());
  auto addr = unix_address(path);
  if (fs::exists(fs::symlink_status(path))) {
    if (!fs::is_socket(fs::symlink_status(path)))
      throw std::runtime_error(path.string() + " exists and is not a socket; remove it or " +
                               "choose another --socket-dir");
    if (someone_bound_at(addr))
      throw std::runtime_error("another process is already serving " + path.string() +
                               "; stop it or choose another --socket-dir");
    fs::remove(path, ec); // stale file from a process that was killed
  }
  auto fd = new_datagram_socket();
  if (receive_buffer_bytes > 0)
    ::setsockopt(fd.get(), SOL_SOCKET, SO_RCVBUF, &receive_buffer_bytes, sizeof receive_buffer_bytes);
  if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0)
    throw std::runtime_error("cannot bind " + path.string() + ": " + std::strerror(errno) +
                             " (check that the socket directory is writable)");
  return fd;
}


void write_link_info(const fs::path& path, const link_info& info) {
  auto tmp = path;
  tmp += ".new";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << "interface=" << info.interface << "\nmac=" << info.mac << "\n";
    if (!out) throw std::runtime_error("cannot write " + tmp.string());
  }
  fs::rename(tmp, path);
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
  }
  if (info.mac.empty()) return std::nullopt;
  return info;
}

} // namespace etherbeam::ipc
