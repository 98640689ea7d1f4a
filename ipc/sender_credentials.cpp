#include "ipc/sender_credentials.hpp"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>

#include <spdlog/spdlog.h>

namespace etherbeam::ipc {

void pass_credentials(int socket_fd) {
  int on = 1;
  if (::setsockopt(socket_fd, SOL_SOCKET, SO_PASSCRED, &on, sizeof on) != 0)
    throw std::runtime_error(std::string("cannot ask for senders' credentials (SO_PASSCRED): ") +
                             std::strerror(errno));
}

std::optional<ucred> credentials_of(const msghdr& message) {
  for (auto* c = CMSG_FIRSTHDR(&message); c; c = CMSG_NXTHDR(const_cast<msghdr*>(&message), c)) {
    if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_CREDENTIALS) continue;
    ucred who;
    std::memcpy(&who, CMSG_DATA(c), sizeof who);
    return who;
  }
  return std::nullopt;
}

trusted_senders::trusted_senders(std::optional<uid_t> peer, std::string peer_option)
    : uids_{0, ::getuid()}, peer_option_(std::move(peer_option)) {
  if (peer) uids_.push_back(*peer);
}

bool trusted_senders::admits(const msghdr& message) {
  auto who = credentials_of(message);
  if (who && std::find(uids_.begin(), uids_.end(), who->uid) != uids_.end()) return true;
  ++rejected_;
  auto now = std::chrono::steady_clock::now();
  if (rejected_at_last_log_ == 0 || now - last_log_ >= std::chrono::seconds(10)) {
    spdlog::warn("refused a frame from uid {} (pid {}): only root, this daemon's user and the user named by {} "
                 "may send frames here ({} refused so far)",
                 who ? static_cast<long>(who->uid) : -1L, who ? static_cast<long>(who->pid) : -1L, peer_option_,
                 rejected_);
    last_log_ = now;
    rejected_at_last_log_ = rejected_;
  }
  return false;
}

} // namespace etherbeam::ipc
