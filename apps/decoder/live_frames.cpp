#include "apps/decoder/live_frames.hpp"

#include <cstring>

namespace etherbeam::apps::decoder {

void append_live_frame(std::string& message, live_frame_header header, std::string_view bytes) {
  header.length = static_cast<std::uint32_t>(bytes.size());
  message.append(reinterpret_cast<const char*>(&header), sizeof header);
  message.append(bytes);
}

std::vector<live_message> read_live_messages(std::string_view message) {
  if (message.starts_with("links ")) return {live_message{std::nullopt, message.substr(6)}};
  std::vector<live_message> frames;
  while (message.size() >= sizeof(live_frame_header)) {
    live_frame_header h;
    std::memcpy(&h, message.data(), sizeof h);
    message.remove_prefix(sizeof h);
    if (h.length > message.size()) break;
    frames.push_back({h, message.substr(0, h.length)});
    message.remove_prefix(h.length);
  }
  return frames;
}

bool live_budget::take(clock::time_point now) {
  if (!per_window_) return true;
  if (now >= end_) {
    end_ = now + window;
    used_ = 0;
  }
  if (used_ >= per_window_) return false;
  ++used_;
  return true;
}

} // namespace etherbeam::apps::decoder
