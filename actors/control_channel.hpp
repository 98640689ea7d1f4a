#pragma once
// The operator's way into a running etherbeam: a UNIX seqpacket socket next to
// the frame sockets, one command and one reply per connection (a connection,
// not datagrams: the reply must find a client in another network namespace,
// or one the server, after dropping privileges, may not write to).
//   counters       -> the counters, as SIGUSR1 logs them
//   metrics        -> the counters in the Prometheus text format
//   fault CHILD    -> make the named long-lived actor fail ("let it crash"),
//                     only when started with --allow-fault-injection
//   and the applications' own commands (control_command).
// The socket file is mode 0600 (0660 with --socket-group): whoever may talk to
// it may also stop the process.
#include <chrono>
#include <filesystem>
#include <functional>
#include <string_view>
#include <memory>
#include <string>
#include <vector>

#include <caf/actor.hpp>
#include <caf/fwd.hpp>

#include "actors/stack_counters.hpp"
#include "ipc/socket_directory.hpp"
#include "ipc/socket_pair.hpp"

namespace etherbeam::actors {

inline constexpr const char* control_socket_name = "etherbeam.control";
std::filesystem::path control_socket_path(const std::filesystem::path& socket_dir);
// Binds and listens in `dir`, mode 0600, owned by `owner` when given (the
// user a root-started etherbeam becomes). Only root and etherbeam's own user
// are served (checked by SO_PEERCRED at every connection): the socket group
// is for raw_binder's frames, not for counters or faults. Throws
// std::runtime_error.
ipc::unique_fd bind_control_socket(const ipc::socket_directory& dir, std::optional<uid_t> owner);

// A command an application adds to the control socket (the DHCP server's
// lease4-*, watch), named by its first word.
struct control_command {
  std::string name;
  std::string summary; // one line, for the list of commands
  // Runs on the control actor's thread (it may request() an actor and wait)
  // and returns the reply. A command that streams (watch) takes `connection`
  // away and returns nothing: the reply is then its own to write.
  std::function<std::string(caf::blocking_actor* self, std::string_view arguments, ipc::unique_fd& connection)> run;
  // Several applications may answer the same command (the router's and the
  // bridge's firewall: `conntrack`): a listing that says so is answered by
  // each in turn, their replies joined; otherwise the first answers.
  bool joins_others = false;
};

struct control_settings {
  int socket = -1;   // listening socket from bind_control_socket, owned by the caller
  caf::actor root;   // the supervisor whose children faults go to
  std::vector<std::string> children; // their ids, for error messages
  bool allow_fault_injection = false;
  std::shared_ptr<stack_counters> counters;
  std::vector<control_command> commands; // the applications'
};

// A blocking actor on a thread of its own, like ingress; not supervised: it is
// how an operator looks at the tree, so it must not go down with it.
caf::actor spawn_control(caf::actor_system& system, control_settings settings);

// Client side, for `etherbeam counters` and `etherbeam fault`: sends one
// command and returns the reply. Throws std::runtime_error saying what to do
// when no etherbeam answers.
std::string control_request(const std::filesystem::path& socket_dir, const std::string& command,
                            std::chrono::milliseconds timeout = std::chrono::seconds(5));
// For a command that streams (watch): calls `each` with every message until
// the server closes the connection or `each` returns false. Throws like
// control_request when no etherbeam answers.
void control_stream(const std::filesystem::path& socket_dir, const std::string& command,
                    const std::function<bool(std::string_view message)>& each);

} // namespace etherbeam::actors
