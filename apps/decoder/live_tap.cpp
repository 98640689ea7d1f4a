#include "apps/decoder/live_tap.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <sys/resource.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <thread>
#include <vector>

#include "actors/frame_tap.hpp"
#include "apps/decoder/idle_priority.hpp"

namespace etherbeam::apps::decoder {

namespace {

constexpr std::size_t queue_capacity = 16384;
constexpr int take_every_ms = 10;

// Copies packed many to a message; with each message, how many frames it holds.
struct packed_copies {
  std::vector<std::string> messages;
  std::vector<std::size_t> frames;
};

packed_copies pack(const std::vector<actors::tapped_frame>& copies, std::uint64_t lost) {
  packed_copies out;
  for (const auto& f : copies) {
    auto room = sizeof(live_frame_header) + f.bytes.size();
    if (out.messages.empty() || out.messages.back().size() + room > live_message_limit) {
      out.messages.emplace_back().reserve(live_message_limit);
      out.frames.push_back(0);
    }
    live_frame_header h;
    h.outbound = f.direction == actors::tap_direction::out;
    h.link = f.link;
    h.lost = static_cast<std::uint32_t>(lost);
    h.microseconds = static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::microseconds>(f.at.time_since_epoch()).count());
    append_live_frame(out.messages.back(), h, {reinterpret_cast<const char*>(f.bytes.data()), f.bytes.size()});
    ++out.frames.back();
  }
  return out;
}

// Streams until the client goes: its connection hangs up or a write fails.
void stream(ipc::unique_fd connection, std::string links, std::size_t copies_per_second) {
  run_only_when_idle();
  int fd = connection.get();
  if (::send(fd, links.data(), links.size(), MSG_NOSIGNAL) < 0) return;
  auto& tap = actors::frame_tap::of_process();
  auto listener = tap.listen(queue_capacity, copies_per_second);
  if (!listener) {
    static const char busy[] = "busy: too many readers of the tap already";
    ::send(fd, busy, sizeof busy - 1, MSG_NOSIGNAL);
    return;
  }
  std::uint64_t behind = 0; // copies the socket had no room for
  for (;;) {
    pollfd hangup{fd, POLLIN, 0};
    if (::poll(&hangup, 1, take_every_ms) > 0) break; // the client sends nothing: data or EOF means it is done
    // A reader that has not taken what was sent: its copies stay queued, and
    // once the queue is full the data path stops copying (counted lost)
    // rather than copy frames that would be thrown away here.
    pollfd room{fd, POLLOUT, 0};
    if (::poll(&room, 1, 0) <= 0) continue;
    auto copies = listener->take();
    auto packed = pack(copies, listener->lost() + behind);
    listener->give_back(std::move(copies));
    if (packed.messages.empty()) continue;
    std::vector<iovec> parts(packed.messages.size());
    std::vector<mmsghdr> messages(packed.messages.size());
    for (std::size_t i = 0; i < parts.size(); ++i) {
      parts[i] = {packed.messages[i].data(), packed.messages[i].size()};
      messages[i] = {};
      messages[i].msg_hdr.msg_iov = &parts[i];
      messages[i].msg_hdr.msg_iovlen = 1;
    }
    int sent = ::sendmmsg(fd, messages.data(), static_cast<unsigned>(messages.size()), MSG_NOSIGNAL | MSG_DONTWAIT);
    if (sent < 0 && errno != EAGAIN && errno != EWOULDBLOCK) break;
    for (auto i = static_cast<std::size_t>(std::max(sent, 0)); i < packed.frames.size(); ++i)
      behind += packed.frames[i]; // a full socket: the reader is slower than the traffic
  }
  tap.stop(listener);
}

} // namespace

actors::control_command tap_command(std::vector<std::string> link_names) {
  std::string links = "links ";
  for (std::size_t i = 0; i < link_names.size(); ++i) links += (i ? "," : "") + link_names[i];
  return {"tap", "[COPIES_PER_SECOND] a copy of every frame in and out, streamed, at most so many a second if "
                 "given (etherbeam decode --live)",
          [links](caf::blocking_actor*, std::string_view arguments, ipc::unique_fd& connection) {
            std::size_t rate = 0;
            auto end = arguments.data() + arguments.size();
            if (!arguments.empty() && std::from_chars(arguments.data(), end, rate).ptr != end)
              return "error: tap takes one number, the copies a second at most (0: no limit), not '" +
                     std::string(arguments) + "'";
            std::thread(stream, std::move(connection), links, rate).detach();
            return std::string();
          }};
}

} // namespace etherbeam::apps::decoder
