#include "ipc/datagram_batch.hpp"

#include "ipc/sender_credentials.hpp"

#include <poll.h>

#include <algorithm>
#include <chrono>
#include <cerrno>
#include <cstring>

#include <spdlog/spdlog.h>

namespace etherbeam::ipc {

receive_batch::receive_batch(std::size_t slots, std::size_t slot_bytes, bool credentials)
    : slot_bytes_(slot_bytes), storage_(slots * slot_bytes), control_(credentials ? slots * credentials_space : 0),
      vectors_(slots), messages_(slots) {
  // Set up once: the kernel writes back only msg_len, msg_flags and the
  // control length, and the headers cost more than the call itself when one
  // datagram arrives at a time (callgrind).
  for (std::size_t i = 0; i < slots; ++i) {
    vectors_[i] = {storage_.data() + i * slot_bytes_, slot_bytes_};
    messages_[i].msg_hdr = {};
    messages_[i].msg_hdr.msg_iov = &vectors_[i];
    messages_[i].msg_hdr.msg_iovlen = 1;
    if (credentials) {
      messages_[i].msg_hdr.msg_control = control_.data() + i * credentials_space;
      messages_[i].msg_hdr.msg_controllen = credentials_space;
    }
  }
}

int receive_batch::receive(int fd) {
  // The kernel shortens msg_controllen to what it wrote, in the headers of
  // the datagrams it delivered; the others are as set (callgrind showed the
  // reset of all 64 at ~460 instructions a call, most calls bringing one).
  if (!control_.empty())
    for (std::size_t i = 0; i < written_; ++i) messages_[i].msg_hdr.msg_controllen = credentials_space;
  int n = ::recvmmsg(fd, messages_.data(), static_cast<unsigned>(messages_.size()), MSG_DONTWAIT, nullptr);
  if (n < 0) {
    written_ = 0;
    return errno == EAGAIN || errno == EINTR ? 0 : -1;
  }
  written_ = static_cast<std::size_t>(n);
  return n;
}

std::span<const std::uint8_t> receive_batch::datagram(std::size_t i) const {
  std::size_t len = std::min<std::size_t>(messages_[i].msg_len, slot_bytes_);
  return {storage_.data() + i * slot_bytes_, len};
}

std::size_t outgoing_messages::load(std::span<const std::span<const std::uint8_t>> frames, std::size_t at) {
  std::size_t n = std::min(capacity, frames.size() - at);
  for (std::size_t i = 0; i < n; ++i) {
    vectors_[i] = {const_cast<std::uint8_t*>(frames[at + i].data()), frames[at + i].size()};
    messages_[i].msg_hdr = {};
    messages_[i].msg_hdr.msg_iov = &vectors_[i];
    messages_[i].msg_hdr.msg_iovlen = 1;
  }
  return n;
}

datagram_peer::datagram_peer(const std::filesystem::path& to)
    : path_(to), socket_(open_datagram_socket()), to_(unix_address(to)) {}

bool datagram_peer::connect() {
  connected_ = ::connect(socket_.get(), reinterpret_cast<const sockaddr*>(&to_), sizeof to_) == 0;
  return connected_;
}

batch_send_result datagram_peer::send(std::span<const std::span<const std::uint8_t>> frames,
                                      std::chrono::milliseconds wait_for_room) {
  batch_send_result r;
  auto give_up = std::chrono::steady_clock::now() + wait_for_room;
  if (!connected_ && !connect()) {
    // Nobody bound at the path (not started, or restarting), or not ours to use.
    if (errno == ENOENT || errno == ECONNREFUSED) {
      r.peer_absent += frames.size();
    } else {
      r.failed += frames.size();
      r.error = errno;
    }
    return r;
  }
  outgoing_messages messages;
  std::size_t at = 0;
  bool reconnected = false;
  while (at < frames.size()) {
    auto n = messages.load(frames, at);
    int sent = ::sendmmsg(socket_.get(), messages.data(), static_cast<unsigned>(n), MSG_DONTWAIT | MSG_NOSIGNAL);
    if (sent > 0) {
      r.sent += static_cast<std::size_t>(sent);
      at += static_cast<std::size_t>(sent);
      continue;
    }
    switch (errno) {
      case EAGAIN: {
        // Its queue is full: wait for room while the caller allows it, else
        // the rest of the batch is dropped at once. Trying frame by frame
        // cost a failed system call each, which is what an overloaded peer
        // can least afford its relay to spend.
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(give_up - std::chrono::steady_clock::now());
        pollfd room{socket_.get(), POLLOUT, 0};
        if (left.count() > 0 && ::poll(&room, 1, static_cast<int>(left.count())) > 0 && (room.revents & POLLOUT)) {
          ++r.waits;
          break;
        }
        r.peer_busy += frames.size() - at;
        return r;
      }
      case ECONNREFUSED:
      case ENOTCONN:
      case ENOENT:
        // The peer we were connected to is gone: the rest go to whoever is
        // bound at the path now, or are counted as absent.
        if (reconnected || !connect()) {
          connected_ = false;
          r.peer_absent += frames.size() - at;
          return r;
        }
        reconnected = true;
        break;
      default:
        ++r.failed;
        r.error = errno;
        ++at;
        break;
    }
  }
  return r;
}

bool datagram_peer::writable() const {
  if (!connected_) return true; // the next send finds out
  pollfd out{socket_.get(), POLLOUT, 0};
  return ::poll(&out, 1, 0) > 0 && (out.revents & POLLOUT);
}

void send_failure_report::note(const batch_send_result& r) {
  if (r.failed && !failing_) {
    failing_ = true;
    if (r.error == EACCES || r.error == EPERM)
      spdlog::error("{} may not send to {}: permission denied. The two daemons run as different users: start "
                    "both with the same --socket-group (a group of their two users only, e.g. etherbeam), or run "
                    "them as one user; until then nothing is relayed", sender_, peer_.string());
    else
      spdlog::error("{} cannot send to {}: {}; datagrams are dropped and counted until it can", sender_,
                    peer_.string(), std::strerror(r.error));
  } else if (r.sent && !r.failed && failing_) {
    failing_ = false;
    spdlog::info("{} sends to {} again", sender_, peer_.string());
  }
}

} // namespace etherbeam::ipc
