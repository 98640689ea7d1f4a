#pragma once
// How frames get decided, chosen at start (--model); see frame_actor.hpp.
#include <cstdint>
#include <optional>
#include <string_view>

namespace etherbeam::actors {

enum class concurrency_model : std::uint8_t { per_frame, per_protocol, inline_ };

inline std::optional<concurrency_model> parse_concurrency_model(std::string_view text) {
  if (text == "per-frame") return concurrency_model::per_frame;
  if (text == "per-protocol") return concurrency_model::per_protocol;
  if (text == "inline") return concurrency_model::inline_;
  return std::nullopt;
}

inline std::string_view to_string(concurrency_model m) {
  switch (m) {
    case concurrency_model::per_frame: return "per-frame";
    case concurrency_model::per_protocol: return "per-protocol";
    case concurrency_model::inline_: return "inline";
  }
  return "?";
}

} // namespace etherbeam::actors
