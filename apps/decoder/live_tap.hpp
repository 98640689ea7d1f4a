#pragma once
// `etherbeam decode --live`: the control socket's `tap` command streams a
// copy of every frame in and out to the client, one seqpacket message each,
// from a thread of its own. A client that reads too slowly loses copies
// (counted in each message), never the data path's frames.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "actors/control_channel.hpp"

namespace etherbeam::apps::decoder {

// A message's header, then the frame's bytes.
struct live_frame_header {
  std::uint8_t outbound = 0; // 0: etherbeam took it in; 1: sent it out
  std::uint8_t reserved = 0;
  std::uint16_t link = 0;
  std::uint32_t lost = 0;    // copies this client has lost so far
  std::uint64_t microseconds = 0;
};
static_assert(sizeof(live_frame_header) == 16);

// The first message: the links' names, comma-separated, after "links ".
actors::control_command tap_command(std::vector<std::string> link_names);

// The client's side: a frame, or the links message.
struct live_message {
  std::optional<live_frame_header> header; // none: the links message
  std::string_view bytes;
};
std::optional<live_message> read_live_message(std::string_view message);

} // namespace etherbeam::apps::decoder
