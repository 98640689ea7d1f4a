#pragma once
// The rendezvous between raw_binder and etherbeam: two UNIX datagram sockets in
// one directory. One datagram is one Ethernet frame, byte for byte: no header,
// no length, no metadata. This is the only code both processes share.
#include <sys/un.h>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>

namespace etherbeam::ipc {

inline constexpr const char* default_socket_dir = "/run/etherbeam";

struct socket_paths {
  std::filesystem::path dir;

  // Bound by etherbeam; raw_binder sends received frames here.
  std::filesystem::path logic_server() const { return dir / "raw_to_beam.sock"; }
  // Bound by raw_binder; etherbeam sends reply frames here.
  std::filesystem::path binder() const { return dir / "beam_to_raw.sock"; }
  // Written by raw_binder: which interface it serves and that interface's MAC,
  // so that etherbeam can answer with the interface's own MAC by default.
  std::filesystem::path link_file() const { return dir / "link"; }
};

// Owns a file descriptor; closes it once.
class unique_fd {
public:
  unique_fd() = default;
  explicit unique_fd(int fd) : fd_(fd) {}
  unique_fd(unique_fd&& o) noexcept : fd_(o.release()) {}
  unique_fd& operator=(unique_fd&& o) noexcept;
  unique_fd(const unique_fd&) = delete;
  unique_fd& operator=(const unique_fd&) = delete;
  ~unique_fd();
  int get() const { return fd_; }
  int release() { int f = fd_; fd_ = -1; return f; }
  explicit operator bool() const { return fd_ >= 0; }

private:
  int fd_ = -1;
};

// Creates the directory if needed, refuses to start when a live process is
// already bound at `path`, removes a stale socket file left by a crash, and
// binds a non-blocking datagram socket there. Throws std::runtime_error whose
// message says what was wrong and what to do.
unique_fd bind_datagram_socket(const std::filesystem::path& path, int receive_buffer_bytes);
// An unbound non-blocking datagram socket, for sending only (see datagram_peer).
unique_fd open_datagram_socket();
sockaddr_un unix_address(const std::filesystem::path& path);


struct link_info {
  std::string interface;
  std::string mac; // "aa:bb:cc:dd:ee:ff"
};
// Replaces the file atomically (write + rename) so a reader never sees half.
void write_link_info(const std::filesystem::path& path, const link_info& info);
std::optional<link_info> read_link_info(const std::filesystem::path& path);

} // namespace etherbeam::ipc
