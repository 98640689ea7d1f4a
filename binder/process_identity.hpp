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

// Gives `socket` (and, where this process may, its directory) to `group`,
// readable and writable by the group only: mode 0660 (directory 0770).
void share_with_group(const std::filesystem::path& socket, gid_t group);

// Switches the whole process to `user` (its primary group, plus `extra_group`
// if given), after handing `to_hand_over` to that user; sets NO_NEW_PRIVS. The
// user keeps no capability. Throws std::runtime_error saying what failed.
void become_user(const std::string& user, std::optional<gid_t> extra_group,
                 const std::vector<std::filesystem::path>& to_hand_over);

} // namespace etherbeam::ipc
