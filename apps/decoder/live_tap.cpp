#include "apps/decoder/live_tap.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <cerrno>
#include <cstring>
#include <thread>

#include "actors/frame_tap.hpp"

namespace etherbeam::apps::decoder {

namespace {

constexpr std::size_t queue_capacity = 16384;
constexpr int take_every_ms = 10;

// Streams until the client goes: its connection hangs up or a write fails.
void stream(ipc::unique_fd connection, std::string links) {
  int fd = connection.get();
  if (::send(fd, links.data(), links.size(), MSG_NOSIGNAL) < 0) return;
  auto& tap = actors::frame_tap::of_process();
  auto listener = tap.listen(queue_capacity);
  std::uint64_t behind = 0; // copies the socket had no room for
  for (;;) {
    pollfd hangup{fd, POLLIN, 0};
    if (::poll(&hangup, 1, take_every_ms) > 0) break; // the client sends nothing: data or EOF means it is done
    bool gone = false;
    for (const auto& f : listener->take()) {
      live_frame_header h;
      h.outbound = f.direction == actors::tap_direction::out;
      h.link = f.link;
      h.lost = static_cast<std::uint32_t>(listener->lost() + behind);
      h.microseconds = static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::microseconds>(f.at.time_since_epoch()).count());
      iovec parts[2] = {{&h, sizeof h}, {const_cast<std::uint8_t*>(f.bytes.data()), f.bytes.size()}};
      msghdr m{};
      m.msg_iov = parts;
      m.msg_iovlen = 2;
      if (::sendmsg(fd, &m, MSG_NOSIGNAL | MSG_DONTWAIT) >= 0) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) {
        ++behind; // the client reads slowly: it loses this copy, etherbeam goes on
        continue;
      }
      gone = true;
      break;
    }
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
