#include "apps/decoder/live_tap.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <sys/resource.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>
#include <vector>

#include "actors/frame_tap.hpp"
#include "apps/decoder/idle_priority.hpp"

namespace etherbeam::apps::decoder {

namespace {

constexpr std::size_t queue_capacity = 16384;
constexpr int take_every_ms = 10;

// Streams until the client goes: its connection hangs up or a write fails.
void stream(ipc::unique_fd connection, std::string links) {
  run_only_when_idle();
  int fd = connection.get();
  if (::send(fd, links.data(), links.size(), MSG_NOSIGNAL) < 0) return;
  auto& tap = actors::frame_tap::of_process();
  auto listener = tap.listen(queue_capacity);
  if (!listener) {
    static const char busy[] = "busy: too many readers of the tap already";
    ::send(fd, busy, sizeof busy - 1, MSG_NOSIGNAL);
    return;
  }
  std::uint64_t behind = 0; // copies the socket had no room for
  for (;;) {
    pollfd hangup{fd, POLLIN, 0};
    if (::poll(&hangup, 1, take_every_ms) > 0) break; // the client sends nothing: data or EOF means it is done
    // Sent in batches (one system call for up to `batch` frames); a full socket loses copies.
    auto frames = listener->take();
    constexpr std::size_t batch = 64;
    std::vector<live_frame_header> headers(std::min(frames.size(), batch));
    std::vector<iovec> parts(2 * headers.size());
    std::vector<mmsghdr> messages(headers.size());
    bool gone = false;
    for (std::size_t start = 0; start < frames.size() && !gone; start += batch) {
      std::size_t n = std::min(batch, frames.size() - start);
      for (std::size_t i = 0; i < n; ++i) {
        const auto& f = frames[start + i];
        auto& h = headers[i];
        h.outbound = f.direction == actors::tap_direction::out;
        h.link = f.link;
        h.lost = static_cast<std::uint32_t>(listener->lost() + behind);
        h.microseconds = static_cast<std::uint64_t>(
          std::chrono::duration_cast<std::chrono::microseconds>(f.at.time_since_epoch()).count());
        parts[2 * i] = {&h, sizeof h};
        parts[2 * i + 1] = {const_cast<std::uint8_t*>(f.bytes.data()), f.bytes.size()};
        messages[i] = {};
        messages[i].msg_hdr.msg_iov = &parts[2 * i];
        messages[i].msg_hdr.msg_iovlen = 2;
      }
      int sent = ::sendmmsg(fd, messages.data(), static_cast<unsigned>(n), MSG_NOSIGNAL | MSG_DONTWAIT);
      if (sent < 0 && errno != EAGAIN && errno != EWOULDBLOCK) gone = true;
      else behind += n - static_cast<std::size_t>(std::max(sent, 0)); // the reader is slower than the traffic
    }
    listener->give_back(std::move(frames));
    if (gone) break;
  }
  tap.stop(listener);
}

} // namespace

actors::control_command tap_command(std::vector<std::string> link_names) {
  std::string links = "links ";
  for (std::size_t i = 0; i < link_names.size(); ++i) links += (i ? "," : "") + link_names[i];
  return {"tap", "a copy of every frame in and out, streamed (etherbeam decode --live)",
          [links](caf::blocking_actor*, std::string_view, ipc::unique_fd& connection) {
            std::thread(stream, std::move(connection), links).detach();
            return std::string();
          }};
}

std::optional<live_message> read_live_message(std::string_view message) {
  if (message.starts_with("links ")) return live_message{std::nullopt, message.substr(6)};
  if (message.size() < sizeof(live_frame_header)) return std::nullopt;
  live_frame_header h;
  std::memcpy(&h, message.data(), sizeof h);
  return live_message{h, message.substr(sizeof h)};
}

} // namespace etherbeam::apps::decoder
