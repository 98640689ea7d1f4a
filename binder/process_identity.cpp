#include "binder/process_identity.hpp"

#include <grp.h>
#include <pwd.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace etherbeam::ipc {

namespace {
[[noreturn]] void fail(const std::string& what) {
  throw std::runtime_error(what + ": " + std::strerror(errno));
}
} // namespace

gid_t group_id(const std::string& group) {
  std::vector<char> buf(16384);

  ::group g{};
  ::group* found = nullptr;
  if (::getgrnam_r(group.c_str(), &g, buf.data(), buf.size(), &found) != 0 || !found)
    throw std::runtime_error("no such group '" + group + "'; create it or choose another --socket-group");
  return g.gr_gid;
}

void share_with_group(const std::filesystem::path& socket, gid_t group) {
  if (::chown(socket.c_str(), static_cast<uid_t>(-1), group) != 0) fail("cannot give " + socket.string() + " to its group");
  if (::chmod(socket.c_str(), 0660) != 0) fail("cannot set the mode of " + socket.string());
  // The directory too, when it is ours to change (the first daemon creates it).
  auto dir = socket.parent_path();
  struct stat st {};
  if (::stat(dir.c_str(), &st) == 0 && (st.st_uid == ::geteuid() || ::geteuid() == 0)) {
    if (::chown(dir.c_str(), static_cast<uid_t>(-1), group) == 0) ::chmod(dir.c_str(), 0770);
  }
}

void become_user(const std::string& user, std::optional<gid_t> extra_group,
                 const std::vector<std::filesystem::path>& to_hand_over) {
  std::vector<char> buf(16384);
  ::passwd pw{};
  ::passwd* found = nullptr;
  if (::getpwnam_r(user.c_str(), &pw, buf.data(), buf.size(), &found) != 0 || !found)
    throw std::runtime_error("no such user '" + user + "'; create it or choose another --user");
  if (pw.pw_uid == 0) throw std::runtime_error("--user " + user + " is root; name an unprivileged user");
  for (const auto& p : to_hand_over)
    if (::chown(p.c_str(), pw.pw_uid, pw.pw_gid) != 0) fail("cannot hand " + p.string() + " to " + user);
  std::vector<gid_t> groups{pw.pw_gid};
  if (extra_group && *extra_group != pw.pw_gid) groups.push_back(*extra_group);
  if (::setgroups(groups.size(), groups.data()) != 0) fail("cannot set the groups of " + user);
  if (::setgid(pw.pw_gid) != 0) fail("cannot switch to the group of " + user);
  if (::setuid(pw.pw_uid) != 0) fail("cannot switch to user " + user);
  // setuid from root to another user clears every capability; make sure of it.
  if (::setuid(0) == 0) throw std::runtime_error("still able to become root after switching to " + user);
  if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) fail("cannot set NO_NEW_PRIVS");
}

} // namespace etherbeam::ipc
