#pragma once
// What the live tap's messages hold (live_tap.hpp): frames packed one after
// another, each behind a header. Pure: building a message, reading one.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace etherbeam::apps::decoder {

// In a message, each frame: its header, then its bytes.
struct live_frame_header {
  std::uint8_t outbound = 0; // 0: etherbeam took it in; 1: sent it out
  std::uint8_t reserved = 0;
  std::uint16_t link = 0;
  std::uint32_t lost = 0;    // copies this client has lost so far
  std::uint64_t microseconds = 0;
  std::uint32_t length = 0;  // of the frame's bytes that follow
  std::uint32_t reserved_too = 0;
};
static_assert(sizeof(live_frame_header) == 24);

// The largest message the tap sends: frames are added while they fit.
inline constexpr std::size_t live_message_limit = 64 * 1024;

// Adds a frame to a message being built (the header's length is set here).
void append_live_frame(std::string& message, live_frame_header header, std::string_view bytes);

// The client's side: the frames in a message, or the links message (one
// entry, without a header). A frame cut short ends the list.
struct live_message {
  std::optional<live_frame_header> header; // none: the links message
  std::string_view bytes;
};
std::vector<live_message> read_live_messages(std::string_view message);

// How many frames `decode --live` decodes a second, in windows of 100 ms.
// Decoding takes a core's idle time, and on a small or shared machine even
// idle-priority work slows the data path (its cores' siblings, the host);
// past its budget the reader stops reading, the tap's queue fills, and the
// data path stops copying, each frame counted lost. 0: no limit.
class live_budget {
public:
  using clock = std::chrono::steady_clock;
  static constexpr auto window = std::chrono::milliseconds(100);
  explicit live_budget(std::size_t per_second) : per_window_(per_second ? std::max<std::size_t>(per_second / 10, 1) : 0) {}
  // One frame more, if the window has room for it.
  bool take(clock::time_point now);
  // Spent for this window: the reader waits until window_end().
  bool spent(clock::time_point now) const { return per_window_ && now < end_ && used_ >= per_window_; }
  clock::time_point window_end() const { return end_; }

private:
  std::size_t per_window_, used_ = 0;
  clock::time_point end_{};
};

} // namespace etherbeam::apps::decoder
