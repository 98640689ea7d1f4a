#pragma once
// What the live tap's messages hold (live_tap.hpp): frames packed one after
// another, each behind a header. Pure: building a message, reading one.
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

} // namespace etherbeam::apps::decoder
