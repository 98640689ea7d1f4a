#pragma once
// Who the daemons run as, and who may use their sockets: the dnsmasq way.
// Started as root, etherbeam switches to an unprivileged user once its socket
// is bound; both daemons can hand their socket to a group so that the other,
// running as another user, may send to it.
#include <filesystem>
#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

namespace etherbeam::ipc {

// The group's id; std::runtime_error naming the group when it does not exist.
gid_t group_id(const std::string& group);

// The user's id; std::runtime_error naming the user when it does not exist.
uid_t user_id(const std::string& user);

// Makes `group` this process's group (started as root), so that what it
// creates belongs to the group without a chown afterwards.
void join_group(gid_t group);

struct user_identity {
  uid_t uid;
  gid_t gid;
};
// Looks the user up; refuses root and unknown users with a message that says so.
user_identity unprivileged_user(const std::string& user);

// Switches the whole process to `user` (its primary group, plus `extra_group`
// if given) and sets NO_NEW_PRIVS. The user keeps no capability. Throws
// std::runtime_error saying what failed.
void become_user(const std::string& name, const user_identity& user, std::optional<gid_t> extra_group);

} // namespace etherbeam::ipc
