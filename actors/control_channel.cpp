#include "actors/control_channel.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include <caf/actor_system.hpp>
#include <caf/blocking_actor.hpp>
#include <spdlog/spdlog.h>

#include "actors/metrics.hpp"
#include "actors/messages.hpp"
#include "daemon/serving_loop.hpp"
#include "ipc/socket_pair.hpp"
#include "supervision/supervisor.hpp"

namespace etherbeam::actors {

namespace {

constexpr int mailbox_poll_ms = 200;

std::string join(const std::vector<std::string>& words) {
  std::string out;
  for (auto& w : words) out += (out.empty() ? "" : ", ") + w;
  return out;
}

std::string inject_fault(caf::blocking_actor* self, const control_settings& s, const std::string& child) {
  if (!s.allow_fault_injection)
    return "error: fault injection is off; start etherbeam with --allow-fault-injection to use it";
  std::string reply;
  self->request(s.root, std::chrono::seconds(2), supervision::get_child_atom::value, child)
    .receive(
      [&](caf::actor& target) {
        spdlog::warn("control: injecting a fault into {}", child);
        self->send(target, inject_fault_atom::value);
        reply = "ok: fault injected into " + child;
      },
      [&](caf::error&) {
        reply = "error: no running long-lived actor named '" + child + "' (children: " +
                join(s.children) + ")";
      });
  return reply;
}

std::string execute(caf::blocking_actor* self, const control_settings& s, std::string_view command,
                    ipc::unique_fd& connection) {
  if (command == "counters") return s.counters->render();
  if (command == "metrics") return prometheus_exposition(*s.counters);
  if (command.starts_with("fault ")) return inject_fault(self, s, std::string(command.substr(6)));
  auto space = command.find_first_of(" \n");
  auto name = command.substr(0, space);
  auto arguments = space == std::string_view::npos ? std::string_view{} : command.substr(space + 1);
  std::vector<const control_command*> joining;
  for (const auto& c : s.commands) {
    if (c.name != name) continue;
    if (!c.joins_others) return c.run(self, arguments, connection);
    joining.push_back(&c);
  }
  if (joining.size() == 1) return joining.front()->run(self, arguments, connection);
  if (!joining.empty()) {
    std::string joined; // each reply under its summary, which says whose it is
    for (const auto* c : joining) joined += "# " + c->summary + "\n" + c->run(self, arguments, connection);
    return joined;
  }
  std::string known = "counters, metrics, fault CHILD";
  for (const auto& c : s.commands) known += ", " + c.name;
  return "error: unknown command '" + std::string(name) + "' (commands: " + known + ")";
}

// One command per connection: a client that connects and says nothing is
// dropped after a second rather than holding the operator's door shut.
void serve_connection(caf::blocking_actor* self, const control_settings& s, int listener) {
  ipc::unique_fd connection{::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC)};
  if (!connection) return;
  ucred peer{};
  socklen_t len = sizeof peer;
  if (::getsockopt(connection.get(), SOL_SOCKET, SO_PEERCRED, &peer, &len) != 0 ||
      (peer.uid != 0 && peer.uid != ::geteuid())) {
    spdlog::warn("control: refused a connection from uid {} (pid {}): only root and etherbeam's own user "
                 "may read counters or inject faults", static_cast<long>(peer.uid), static_cast<long>(peer.pid));
    static constexpr std::string_view refusal = "error: permission denied: only root and etherbeam's own user may use this socket";
    ::send(connection.get(), refusal.data(), refusal.size(), MSG_NOSIGNAL);
    return;
  }
  pollfd readable{connection.get(), POLLIN, 0};
  if (::poll(&readable, 1, 1000) <= 0) return;
  char buffer[8192]; // a command and its JSON arguments
  auto n = ::recv(connection.get(), buffer, sizeof buffer, MSG_DONTWAIT);
  if (n <= 0) return;
  std::string_view command{buffer, static_cast<std::size_t>(n)};
  while (!command.empty() && (command.back() == '\n' || command.back() == ' ')) command.remove_suffix(1);
  auto reply = execute(self, s, command, connection);
  if (connection) ::send(connection.get(), reply.data(), reply.size(), MSG_NOSIGNAL);
}

void control(caf::blocking_actor* self, control_settings s) {
  pollfd readable{s.socket, POLLIN, 0};
  daemon::serving_loop loop{self};
  loop.run([&] {
    if (::poll(&readable, 1, mailbox_poll_ms) > 0) serve_connection(self, s, s.socket);
  });
}

} // namespace

std::filesystem::path control_socket_path(const std::filesystem::path& socket_dir) {
  return socket_dir / control_socket_name;
}

caf::actor spawn_control(caf::actor_system& system, control_settings settings) {
  return system.spawn<caf::detached>(control, std::move(settings));
}

ipc::unique_fd bind_control_socket(const ipc::socket_directory& dir, std::optional<uid_t> owner) {
  auto fd = dir.bind_socket(control_socket_name, SOCK_SEQPACKET, {std::nullopt, owner});
  if (::listen(fd.get(), 8) != 0)
    throw std::runtime_error("cannot listen on the control socket " + control_socket_path(dir.path()).string() +
                             ": " + std::strerror(errno));
  return fd;
}

namespace {

ipc::unique_fd connect_and_send(const std::filesystem::path& socket_dir, const std::string& command) {
  auto path = control_socket_path(socket_dir);
  ipc::unique_fd fd{::socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0)};
  auto to = ipc::unix_address(path);
  if (!fd || ::connect(fd.get(), reinterpret_cast<const sockaddr*>(&to), sizeof to) != 0)
    throw std::runtime_error("no etherbeam is listening at " + path.string() + " (" + std::strerror(errno) +
                             "); is it running with this --socket-dir, and may you use its sockets?");
  if (::send(fd.get(), command.data(), command.size(), MSG_NOSIGNAL) < 0)
    throw std::runtime_error(std::string("sending the command: ") + std::strerror(errno));
  return fd;
}

// One message (SOCK_SEQPACKET): its size first, then all of it; nullopt at the end.
std::optional<std::string> receive_message(int fd) {
  auto size = ::recv(fd, nullptr, 0, MSG_PEEK | MSG_TRUNC);
  if (size < 0) throw std::runtime_error(std::string("reading the reply: ") + std::strerror(errno));
  if (size == 0) return std::nullopt;
  std::string reply(static_cast<std::size_t>(size), '\0');
  auto n = ::recv(fd, reply.data(), reply.size(), 0);
  if (n < 0) throw std::runtime_error(std::string("reading the reply: ") + std::strerror(errno));
  reply.resize(static_cast<std::size_t>(n));
  return reply;
}

} // namespace

std::string control_request(const std::filesystem::path& socket_dir, const std::string& command,
                            std::chrono::milliseconds timeout) {
  auto fd = connect_and_send(socket_dir, command);
  pollfd readable{fd.get(), POLLIN, 0};
  if (::poll(&readable, 1, static_cast<int>(timeout.count())) <= 0)
    throw std::runtime_error("etherbeam at " + control_socket_path(socket_dir).string() + " did not answer within " +
                             std::to_string(timeout.count()) + " ms");
  return receive_message(fd.get()).value_or("");
}

void control_stream(const std::filesystem::path& socket_dir, const std::string& command,
                    const std::function<bool(std::string_view)>& each) {
  auto fd = connect_and_send(socket_dir, command);
  while (auto message = receive_message(fd.get()))
    if (!each(*message)) return;
}

} // namespace etherbeam::actors
