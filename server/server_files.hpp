#pragma once
// What etherbeam holds once it runs as its own user: each link's frames
// socket, the control socket, and what applications hold (DHCP: the state
// directory's lock). Started as root with --user, everything is bound, made
// or handed over first, then etherbeam becomes that user: before any thread.
#include <memory>
#include <string>
#include <vector>

#include "ipc/socket_directory.hpp"
#include "ipc/socket_pair.hpp"
#include "server/server_config.hpp"

namespace etherbeam::server {

// A link's socket that frames arrive on, in the directory it was bound in.
struct frames_socket {
  std::unique_ptr<ipc::socket_directory> directory;
  std::string name;
  ipc::unique_fd socket;
};

// What the process holds once it runs as its own user: each link's frames
// socket, the control socket, and the state directory's lock.
struct server_files {
  std::vector<frames_socket> frames; // in served_links() order
  std::unique_ptr<ipc::socket_directory> control_directory;
  ipc::unique_fd control_socket;
  std::vector<std::shared_ptr<void>> held; // what applications hold while etherbeam serves

  ~server_files();
};

// Throws config_error for what the user must fix (exit 2), anything else for
// a failure (exit 1).
void open_files_and_drop_privileges(const server_config& config, server_files& files);
// Once etherbeam is its own user: what each running application holds.
void hold_application_state(const server_config& config, server_files& files);

} // namespace etherbeam::server
