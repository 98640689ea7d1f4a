#pragma once
// The directory both daemons meet in, opened once and checked, with every
// file in it created relative to that open directory. Either side may be the
// less trusted one, so nothing here follows a symbolic link, writes through a
// name the other side could have planted, or changes the owner of anything it
// did not create a moment before: sockets are bound through
// /proc/self/fd/DIR/NAME, files are created with O_EXCL and renamed into
// place, stale entries are unlinked (which never follows a link).
#include <sys/socket.h>
#include <sys/types.h>

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "ipc/socket_pair.hpp"

namespace etherbeam::ipc {

// Who a daemon's files go to: the group that may use them (mode 0660 instead
// of 0600) and, for a daemon started as root that becomes another user, that
// user (so that it can remove its own sockets on exit).
struct file_sharing {
  std::optional<gid_t> group;
  std::optional<uid_t> owner;
};

class socket_directory {
public:
  // Creates `dir` if it is missing (mode 0755; 01770 and the group with a
  // shared group) and opens it. Refuses (std::runtime_error saying what to
  // do) a directory that others may write to without the sticky bit: there
  // another user could rename or replace this daemon's files.
  static socket_directory open(const std::filesystem::path& dir, std::optional<gid_t> group);

  const std::filesystem::path& path() const { return path_; }
  int fd() const { return fd_.get(); }

  // Binds a non-blocking socket of `type` (SOCK_DGRAM, SOCK_SEQPACKET) at
  // NAME: refuses when a live process is bound there, removes a stale socket
  // left by a crash, and creates it with mode 0600, or 0660 for a group.
  unique_fd bind_socket(std::string_view name, int type, const file_sharing& sharing,
                        int receive_buffer_bytes = 0) const;
  // Replaces NAME with `content` atomically; a reader never sees half of it.
  void replace_file(std::string_view name, std::string_view content) const;
  // Removes NAME if it is there (never what a link points to).
  void remove(std::string_view name) const;

private:
  std::filesystem::path path_;
  unique_fd fd_;
};

} // namespace etherbeam::ipc
