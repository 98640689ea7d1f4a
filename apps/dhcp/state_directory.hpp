#pragma once
// The DHCP server's state directory (the lease journal and its lock). Started
// as root with --user, etherbeam hands the directory and the files it keeps
// there to that user — each opened without following links and changed
// through its descriptor, so a link planted by the user never makes root
// change a file elsewhere. Then one server locks the directory for itself.
#include <sys/types.h>

#include <filesystem>
#include <stdexcept>
#include <string>

#include "ipc/socket_pair.hpp"

namespace etherbeam::apps::dhcp {

// The directory cannot be used: unwritable, read-only, locked by another
// server. The message says which and what the system said.
struct state_directory_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// As root: creates `dir` if missing (mode 0750) and gives it, the journal
// and the lock file to `uid`:`gid`. Links, files with more than one name and
// anything but regular files are left alone.
void hand_state_directory_to(const std::filesystem::path& dir, uid_t uid, gid_t gid);

// An exclusive lock on the directory for this process's life (flock on
// STATE_DIR/lock, which names the holder's pid). Taking it also checks that
// the directory is writable: a read-only or foreign directory is refused now,
// before the server reports ready, not at the first lease.
class state_directory_lock {
public:
  static state_directory_lock take(const std::filesystem::path& dir);

private:
  ipc::unique_fd fd_;
};

} // namespace etherbeam::apps::dhcp
