#include "ipc/socket_directory.hpp"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include <spdlog/spdlog.h>

namespace etherbeam::ipc {

namespace {

std::string errno_text() { return std::strerror(errno); }

std::string via_fd(int dir_fd, std::string_view name) {
  return "/proc/self/fd/" + std::to_string(dir_fd) + "/" + std::string(name);
}

// A datagram or seqpacket socket file accepts connect() only while someone is
// bound to it.
bool someone_bound_at(const std::string& path, int type) {
  unique_fd probe{::socket(AF_UNIX, type | SOCK_CLOEXEC, 0)};
  auto addr = unix_address(path);
  return probe && ::connect(probe.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0;
}

} // namespace

socket_directory socket_directory::open(const std::filesystem::path& dir, std::optional<gid_t> group) {
  std::error_code ec;
  std::filesystem::create_directories(dir.parent_path(), ec);
  bool created = ::mkdir(dir.c_str(), 0700) == 0;
  if (!created && errno != EEXIST)
    throw std::runtime_error("cannot create socket directory " + dir.string() + ": " + errno_text());
  socket_directory d;
  d.path_ = dir;
  d.fd_ = unique_fd{::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)};
  if (!d.fd_)
    throw std::runtime_error("cannot open socket directory " + dir.string() + ": " + errno_text() +
                             (errno == ELOOP ? " (it is a symbolic link; give the real directory)" : ""));
  if (created) {
    // Shared: the group may add its sockets, the sticky bit keeps each side's
    // files its own. Not shared: only this daemon writes here.
    if (group && ::fchown(d.fd(), static_cast<uid_t>(-1), *group) != 0)
      throw std::runtime_error("cannot give socket directory " + dir.string() + " to its group: " + errno_text());
    if (::fchmod(d.fd(), group ? 01770 : 0755) != 0)
      throw std::runtime_error("cannot set the mode of socket directory " + dir.string() + ": " + errno_text());
  }
  struct stat st {};
  if (::fstat(d.fd(), &st) != 0)
    throw std::runtime_error("cannot inspect socket directory " + dir.string() + ": " + errno_text());
  bool writable_by_others = (st.st_mode & (S_IWGRP | S_IWOTH)) != 0;
  if (writable_by_others && !(st.st_mode & S_ISVTX))
    throw std::runtime_error("socket directory " + dir.string() +
                             " may be written by other users but has no sticky bit, so they could replace "
                             "this daemon's sockets and files; run `chmod +t " + dir.string() +
                             "` or use a directory only the daemons' users may write to");
  return d;
}

unique_fd socket_directory::bind_socket(std::string_view name, int type, const file_sharing& sharing,
                                        int receive_buffer_bytes) const {
  auto shown = (path_ / std::string(name)).string();
  auto bind_path = via_fd(fd(), name);
  struct stat st {};
  if (::fstatat(fd(), std::string(name).c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0) {
    if (!S_ISSOCK(st.st_mode))
      throw std::runtime_error(shown + " exists and is not a socket; remove it or choose another --socket-dir");
    if (someone_bound_at(bind_path, type))
      throw std::runtime_error("another process is already serving " + shown +
                               "; stop it or choose another --socket-dir");
    remove(name); // stale file from a process that was killed
  }
  unique_fd fd{::socket(AF_UNIX, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)};
  if (!fd) throw std::runtime_error("cannot create a UNIX socket: " + errno_text());
  if (receive_buffer_bytes > 0)
    ::setsockopt(fd.get(), SOL_SOCKET, SO_RCVBUF, &receive_buffer_bytes, sizeof receive_buffer_bytes);
  auto addr = unix_address(bind_path);
  // The mode comes from the umask at bind(): right from the start, no chmod
  // through a path afterwards.
  auto old_mask = ::umask(sharing.group ? 0117 : 0177);
  int rc = ::bind(fd.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr);
  int err = errno;
  ::umask(old_mask);
  if (rc != 0)
    throw std::runtime_error("cannot bind " + shown + ": " + std::strerror(err) +
                             " (check that the socket directory is writable by this user)");
  if (sharing.group || sharing.owner) {
    // Just created by us, in a directory where no one else may replace it;
    // AT_SYMLINK_NOFOLLOW all the same.
    if (::fchownat(fd_.get(), std::string(name).c_str(), sharing.owner.value_or(static_cast<uid_t>(-1)),
                   sharing.group.value_or(static_cast<gid_t>(-1)), AT_SYMLINK_NOFOLLOW) != 0)
      throw std::runtime_error("cannot give " + shown + " to its user or group: " + errno_text());
  }
  return fd;
}

void socket_directory::replace_file(std::string_view name, std::string_view content) const {
  std::string final_name(name);
  std::string temporary = final_name + ".new";
  auto shown = (path_ / temporary).string();
  // O_EXCL: never through a link or a file someone else left under that name.
  int flags = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC;
  unique_fd out{::openat(fd(), temporary.c_str(), flags, 0644)};
  if (!out && errno == EEXIST) {
    spdlog::warn("{} was already there (left by a crash, or planted by another user); removed, not opened", shown);
    remove(temporary);
    out = unique_fd{::openat(fd(), temporary.c_str(), flags, 0644)};
  }
  if (!out) throw std::runtime_error("cannot create " + shown + ": " + errno_text());
  for (std::string_view rest = content; !rest.empty();) {
    auto n = ::write(out.get(), rest.data(), rest.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw std::runtime_error("cannot write " + shown + ": " + errno_text());
    rest.remove_prefix(static_cast<std::size_t>(n));
  }
  if (::renameat(fd(), temporary.c_str(), fd(), final_name.c_str()) != 0)
    throw std::runtime_error("cannot rename " + shown + " to " + final_name + ": " + errno_text());
}

void socket_directory::remove(std::string_view name) const {
  ::unlinkat(fd(), std::string(name).c_str(), 0);
}

} // namespace etherbeam::ipc
