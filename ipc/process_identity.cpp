#include "ipc/process_identity.hpp"

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

namespace {
std::optional<user_identity> lookup_user(const std::string& user) {
  std::vector<char> buf(16384);
  ::passwd pw{};
  ::passwd* found = nullptr;
  if (::getpwnam_r(user.c_str(), &pw, buf.data(), buf.size(), &found) != 0 || !found) return std::nullopt;
  return user_identity{pw.pw_uid, pw.pw_gid};
}
} // namespace

uid_t user_id(const std::string& user) {
  auto found = lookup_user(user);
  if (!found) throw std::runtime_error("no such user '" + user + "'; create it or name another");
  return found->uid;
}

void join_group(gid_t group) {
  if (::setgroups(1, &group) != 0 || ::setresgid(group, group, group) != 0)
    fail("cannot join group " + std::to_string(group) + " (started as root?)");
}

user_identity unprivileged_user(const std::string& user) {
  auto found = lookup_user(user);
  if (!found) throw std::runtime_error("no such user '" + user + "'; create it or choose another --user");
  if (found->uid == 0) throw std::runtime_error("--user " + user + " is root; name an unprivileged user");
  return *found;
}

void become_user(const std::string& name, const user_identity& user, std::optional<gid_t> extra_group) {
  std::vector<gid_t> groups{user.gid};
  if (extra_group && *extra_group != user.gid) groups.push_back(*extra_group);
  if (::setgroups(groups.size(), groups.data()) != 0) fail("cannot set the groups of " + name);
  if (::setresgid(user.gid, user.gid, user.gid) != 0) fail("cannot switch to the group of " + name);
  if (::setresuid(user.uid, user.uid, user.uid) != 0) fail("cannot switch to user " + name);
  // setuid from root to another user clears every capability; make sure of it.
  if (::setuid(0) == 0) throw std::runtime_error("still able to become root after switching to " + name);
  if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) fail("cannot set NO_NEW_PRIVS");
}

} // namespace etherbeam::ipc
