#pragma once
// Who may send frames to a daemon's socket. File modes only say who may
// reach the socket (a whole group); the kernel also tells, for every
// datagram, which process sent it (SO_PASSCRED: an SCM_CREDENTIALS message
// that only root could forge), so a socket can take frames from the one user
// the other daemon runs as and turn everyone else away.
#include <sys/socket.h>
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace etherbeam::ipc {

// Room for the credentials in one datagram's control buffer.
inline constexpr std::size_t credentials_space = CMSG_SPACE(sizeof(ucred));

// Asks the kernel to attach the sender's credentials to every datagram.
void pass_credentials(int socket_fd);
// The sender's credentials, from a message received with a control buffer.
std::optional<ucred> credentials_of(const msghdr& message);

class trusted_senders {
public:
  // Root, this process's own user, and `peer` (the other daemon's user, named
  // by the option `peer_option`, which the refusal's log line points to).
  explicit trusted_senders(std::optional<uid_t> peer = std::nullopt,
                           std::string peer_option = "--logic-server-user");
  // Whether the datagram came from a trusted user; logs the first refusal of
  // each burst (then at most one line every 10 s, with the count).
  bool admits(const msghdr& message);
  std::uint64_t rejected() const { return rejected_; }

private:
  std::vector<uid_t> uids_;
  std::string peer_option_;
  std::uint64_t rejected_ = 0, rejected_at_last_log_ = 0;
  std::chrono::steady_clock::time_point last_log_{};
};

} // namespace etherbeam::ipc
