#pragma once
// Many datagrams per system call: recvmmsg into fixed slots, sendmmsg from
// caller-owned frames. The socket pair carries one frame per datagram; this
// only changes how many cross the kernel boundary at once.
#include <sys/socket.h>
#include <sys/un.h>

#include <chrono>
#include <cstdint>
#include <span>
#include <vector>

#include "ipc/socket_pair.hpp"

namespace etherbeam::ipc {

class receive_batch {
public:
  // `slots` datagrams of at most `slot_bytes` each per call; with
  // `credentials`, room for each sender's (see sender_credentials.hpp).
  receive_batch(std::size_t slots, std::size_t slot_bytes, bool credentials = false);

  // Reads what is queued, up to the slot count, without blocking. Returns how
  // many datagrams arrived (0 when none; -1 on an error other than EAGAIN).
  int receive(int fd);
  // The i-th datagram of the last receive().
  std::span<const std::uint8_t> datagram(std::size_t i) const;
  // Whether it was longer than a slot (and cut).
  bool truncated(std::size_t i) const { return messages_[i].msg_hdr.msg_flags & MSG_TRUNC; }
  std::size_t slots() const { return messages_.size(); }
  // The i-th datagram's header, its control data (credentials) included.
  const msghdr& header(std::size_t i) const { return messages_[i].msg_hdr; }

private:
  std::size_t slot_bytes_;
  std::vector<std::uint8_t> storage_;
  std::vector<std::uint8_t> control_; // credentials_space per slot, or empty
  std::vector<iovec> vectors_;
  std::vector<mmsghdr> messages_;
  std::size_t written_ = 0; // headers the kernel wrote into last time: only those need resetting
};

// Frames laid out as the mmsghdr array sendmmsg takes, up to `capacity` at a
// time, without addresses (the sending socket is connected or bound).
class outgoing_messages {
public:
  static constexpr std::size_t capacity = 64;
  // Aims at frames[at, at + n), n = min(capacity, what is left); returns n.
  std::size_t load(std::span<const std::span<const std::uint8_t>> frames, std::size_t at);
  mmsghdr* data() { return messages_; }

private:
  mmsghdr messages_[capacity];
  iovec vectors_[capacity];
};

struct batch_send_result {
  std::size_t sent = 0, peer_absent = 0, peer_busy = 0, failed = 0;
  std::size_t waits = 0; // times the peer's queue was full and room came within the wait
  int error = 0; // the errno behind `failed`, when it is not zero
};

// Says why sends to a peer fail, once per episode, with what to do about it:
// a permission problem is a configuration to fix, and a counter alone
// (reply_send_errors, relay_errors) tells no one why nothing answers.
class send_failure_report {
public:
  // `sender` names the daemon sending ("etherbeam", "raw_binder").
  send_failure_report(std::string sender, std::filesystem::path peer)
      : sender_(std::move(sender)), peer_(std::move(peer)) {}
  void note(const batch_send_result& r);

private:
  std::string sender_;
  std::filesystem::path peer_;
  bool failing_ = false;
};

// The sending side of the socket pair: an unbound socket of its own,
// connected to the peer's path while the peer is there, so that a datagram
// costs no path lookup (profiling showed the lookup at ~5% of the CPU at
// saturation). When the peer goes away or restarts, sends fail and the next
// batch connects again, to whichever socket is bound at the path by then.
class datagram_peer {
public:
  explicit datagram_peer(const std::filesystem::path& to);

  // Sends every frame as its own datagram, in as few calls as the kernel
  // allows: what cannot be sent is counted by reason. When the peer's queue
  // is full, waits up to `wait_for_room` in all for it to take the rest
  // (zero: never blocks, the rest is dropped).
  batch_send_result send(std::span<const std::span<const std::uint8_t>> frames,
                         std::chrono::milliseconds wait_for_room = std::chrono::milliseconds(0));
  // Whether the peer's queue has room now (a connected datagram socket polls
  // writable while the receiver's queue is not full); true when unknown.
  bool writable() const;
  // The socket to poll for POLLOUT (room at the peer), -1 while it is not
  // connected (the next send finds out).
  int fd_to_poll() const { return connected_ ? socket_.get() : -1; }
  const std::filesystem::path& path() const { return path_; }

private:
  bool connect();

  std::filesystem::path path_;
  unique_fd socket_;
  sockaddr_un to_{};
  bool connected_ = false;
};

} // namespace etherbeam::ipc
