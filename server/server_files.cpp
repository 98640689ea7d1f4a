#include "server/server_files.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <spdlog/spdlog.h>

#include "actors/control_channel.hpp"
#include "ipc/process_identity.hpp"
#include "ipc/sender_credentials.hpp"
#include "server/applications.hpp"

namespace etherbeam::server {

server_files::~server_files() {
  for (auto& f : frames)
    if (f.socket) f.directory->remove(f.name);
  if (control_socket) control_directory->remove(actors::control_socket_name);
}

// Binds the sockets and, started as root with --user, hands them and the
// state directory to that user and becomes it: before any thread starts.
// Every file is made or changed through a descriptor (see socket_directory),
// so nothing the user planted meanwhile can turn root's work elsewhere.
void open_files_and_drop_privileges(const server_config& config, server_files& files) {
  std::optional<gid_t> group;
  if (!config.socket_group.empty()) group = ipc::group_id(config.socket_group);
  std::optional<ipc::user_identity> user;
  if (!config.user.empty()) {
    if (::geteuid() == 0) user = ipc::unprivileged_user(config.user);
    else spdlog::warn("--user {}: not started as root, so staying the user it was started as", config.user);
  }
  if (user)
    for (const auto* app : applications())
      if (enabled(*app, config) && app->before_dropping_root) app->before_dropping_root(config, user->uid, user->gid);
  std::optional<uid_t> owner;
  if (user) owner = user->uid;
  for (const auto& link : served_links(config)) {
    auto path = ipc::socket_paths{link.socket_dir, link.frames_socket, link.replies_socket}.logic_server();
    auto& f = files.frames.emplace_back();
    f.directory = std::make_unique<ipc::socket_directory>(ipc::socket_directory::open(path.parent_path(), group));
    f.name = path.filename();
    f.socket = f.directory->bind_socket(f.name, SOCK_DGRAM, {group, owner}, 4 << 20);
    ipc::pass_credentials(f.socket.get());
  }
  files.control_directory =
    std::make_unique<ipc::socket_directory>(ipc::socket_directory::open(config.socket_dir, group));
  files.control_socket = actors::bind_control_socket(*files.control_directory, owner);
  if (!user) return;
  ipc::become_user(config.user, *user, group);
  spdlog::info("running as {} (uid {}), without capabilities", config.user, ::getuid());
}

void hold_application_state(const server_config& config, server_files& files) {
  for (const auto* app : applications())
    if (enabled(*app, config) && app->hold)
      if (auto held = app->hold(config)) files.held.push_back(std::move(held));
}

} // namespace etherbeam::server
