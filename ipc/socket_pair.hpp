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
  // Bound by etherbeam; raw_binder sends received frames here.
  static constexpr const char* logic_server_name = "raw_to_beam.sock";
  // Bound by raw_binder; etherbeam sends reply frames here.
  static constexpr const char* binder_name = "beam_to_raw.sock";
  // Written by raw_binder: which interface it serves and that interface's MAC,
  // so that etherbeam can answer with the interface's own MAC by default.
  static constexpr const char* link_file_name = "link";

  std::filesystem::path dir;
  // Each socket can also be named on its own (--frames-socket,
  // --replies-socket), e.g. the design note's /tmp/raw_to_gleam.sock and
  // /tmp/gleam_to_raw.sock; empty means the default name in `dir`.
  std::filesystem::path frames_socket, replies_socket;

  std::filesystem::path logic_server() const {
    return frames_socket.empty() ? dir / logic_server_name : frames_socket;
  }
  std::filesystem::path binder() const { return replies_socket.empty() ? dir / binder_name : replies_socket; }
  // Beside raw_binder's socket: raw_binder writes it there.
  std::filesystem::path link_file() const { return binder().parent_path() / link_file_name; }
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

// An unbound non-blocking datagram socket, for sending only (see datagram_peer).
unique_fd open_datagram_socket();
sockaddr_un unix_address(const std::filesystem::path& path);


struct link_info {
  std::string interface;
  std::string mac; // "aa:bb:cc:dd:ee:ff"
  unsigned mtu = 0; // 0: not said (an older raw_binder)
};
// The link file's text (socket_directory::replace_file writes it).
std::string render_link_info(const link_info& info);
std::optional<link_info> read_link_info(const std::filesystem::path& path);

} // namespace etherbeam::ipc
