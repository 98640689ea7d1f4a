#include "apps/dhcp/state_directory.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string_view>

namespace etherbeam::apps::dhcp {

namespace {

constexpr const char* lock_name = "lock";
constexpr const char* kept_files[] = {"leases.journal", lock_name};

[[noreturn]] void fail(const std::string& what) {
  throw state_directory_error(what + ": " + std::strerror(errno));
}

void hand_over(int dir_fd, const char* name, uid_t uid, gid_t gid) {
  ipc::unique_fd f{::openat(dir_fd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)};
  if (!f) return; // missing (created later by the user itself) or a link: not ours to touch
  struct stat st {};
  if (::fstat(f.get(), &st) != 0 || !S_ISREG(st.st_mode) || st.st_nlink != 1) return;
  if (st.st_uid != uid && ::fchown(f.get(), uid, gid) != 0) fail(std::string("cannot hand ") + name + " to its user");
}

// The first entry of the directory that etherbeam did not make, or "".
std::string foreign_entry(int dir_fd) {
  DIR* listing = ::fdopendir(::dup(dir_fd));
  if (!listing) fail("cannot list the state directory");
  std::string found;
  while (auto* e = ::readdir(listing)) {
    std::string_view name = e->d_name;
    if (name == "." || name == ".." || name == "leases.journal.compacting") continue;
    if (std::find(std::begin(kept_files), std::end(kept_files), name) == std::end(kept_files)) {
      found = name;
      break;
    }
  }
  ::closedir(listing);
  return found;
}

} // namespace

void hand_state_directory_to(const std::filesystem::path& dir, uid_t uid, gid_t gid) {
  std::error_code ec;
  std::filesystem::create_directories(dir.parent_path(), ec);
  if (::mkdir(dir.c_str(), 0750) != 0 && errno != EEXIST) fail("cannot create state directory " + dir.string());
  ipc::unique_fd d{::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)};
  if (!d) fail("cannot open state directory " + dir.string());
  struct stat st {};
  if (::fstat(d.get(), &st) != 0) fail("cannot inspect state directory " + dir.string());
  if (st.st_uid != uid) {
    // Only a directory of etherbeam's own: --state-dir /var/lib must not give
    // /var/lib away.
    if (auto other = foreign_entry(d.get()); !other.empty())
      throw state_directory_error("state directory " + dir.string() + " holds files that are not etherbeam's (" +
                                  other + "); give etherbeam a directory of its own");
    if (::fchown(d.get(), uid, gid) != 0) fail("cannot hand state directory " + dir.string() + " to its user");
  }
  for (auto* name : kept_files) hand_over(d.get(), name, uid, gid);
}

state_directory_lock state_directory_lock::take(const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw state_directory_error("cannot create state directory " + dir.string() + ": " + ec.message());
  auto shown = dir.string();
  ipc::unique_fd d{::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)};
  if (!d) fail("cannot open state directory " + shown);
  // The journal's compaction creates and renames files here.
  if (::faccessat(d.get(), ".", W_OK | X_OK, AT_EACCESS) != 0)
    fail("state directory " + shown + " is not writable by this user (uid " + std::to_string(::geteuid()) + ")");
  state_directory_lock lock;
  lock.fd_ = ipc::unique_fd{::openat(d.get(), lock_name, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0640)};
  if (!lock.fd_) fail("cannot open the lock file " + (dir / lock_name).string());
  if (::flock(lock.fd_.get(), LOCK_EX | LOCK_NB) != 0) {
    if (errno != EWOULDBLOCK) fail("cannot lock " + (dir / lock_name).string());
    char holder[32] = {};
    auto n = ::pread(lock.fd_.get(), holder, sizeof holder - 1, 0);
    std::string pid = n > 0 ? std::string(holder, static_cast<std::size_t>(n)) : "?";
    while (!pid.empty() && (pid.back() == '\n' || pid.back() == ' ')) pid.pop_back();
    throw state_directory_error("state directory " + shown + " is in use by another etherbeam (pid " + pid +
                                "); two servers on one lease journal would lose each other's leases: "
                                "give each its own --state-dir");
  }
  auto pid = std::to_string(::getpid()) + "\n";
  if (::ftruncate(lock.fd_.get(), 0) != 0 || ::pwrite(lock.fd_.get(), pid.data(), pid.size(), 0) < 0)
    fail("cannot write " + (dir / lock_name).string());
  auto journal = dir / "leases.journal";
  ipc::unique_fd j{::open(journal.c_str(), O_WRONLY | O_APPEND | O_NOFOLLOW | O_CLOEXEC)};
  if (!j && errno != ENOENT) fail("cannot write the lease journal " + journal.string());
  return lock;
}

} // namespace etherbeam::apps::dhcp
