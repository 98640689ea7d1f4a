#pragma once
// Many datagrams per system call: recvmmsg into fixed slots, sendmmsg from
// caller-owned frames. The socket pair carries one frame per datagram; this
// only changes how many cross the kernel boundary at once.
#include <sys/socket.h>
#include <sys/un.h>

#include <cstdint>
#include <span>
#include <vector>

#include "binder/socket_pair.hpp"

namespace etherbeam::ipc {

class receive_batch {
public:
  // `slots` datagrams of at most `slot_bytes` each per call.
  receive_batch(std::size_t slots, std::size_t slot_bytes);

  // Reads what is queued, up to the slot count, without blocking. Returns how
  // many datagrams arrived (0 when none; -1 on an error other than EAGAIN).
  int receive(int fd);
  // The i-th datagram of the last receive().
  std::span<const std::uint8_t> datagram(std::size_t i) const;
  // Whether it was longer than a slot (and cut).
  bool truncated(std::size_t i) const { return messages_[i].msg_hdr.msg_flags & MSG_TRUNC; }
  std::size_t slots() const { return messages_.size(); }

private:
  std::size_t slot_bytes_;
  std::vector<std::uint8_t> storage_;
  std::vector<iovec> vectors_;
  std::vector<mmsghdr> messages_;
};

struct batch_send_result {
  std::size_t sent = 0, peer_absent = 0, peer_busy = 0, failed = 0;
};

// Sends every frame to `to` as its own datagram, in as few calls as the
// kernel allows, never blocking: what cannot be sent is counted by reason.
batch_send_result send_batch(int fd, const sockaddr_un& to, std::span<const std::span<const std::uint8_t>> frames);

} // namespace etherbeam::ipc
