#pragma once
// Network-order reads and writes over byte spans. Every protocol view reads its
// fields through these, so bounds are checked once, by the view's constructor.
#include <cstddef>
#include <cstdint>
#include <span>

namespace etherbeam::protocols {

using byte_view = std::span<const std::uint8_t>;
using byte_buffer = std::span<std::uint8_t>;

inline std::uint16_t read_be16(byte_view b, std::size_t at) {
  return static_cast<std::uint16_t>((b[at] << 8) | b[at + 1]);
}

inline std::uint32_t read_be32(byte_view b, std::size_t at) {
  return (std::uint32_t{b[at]} << 24) | (std::uint32_t{b[at + 1]} << 16) |
         (std::uint32_t{b[at + 2]} << 8) | std::uint32_t{b[at + 3]};
}

inline void write_be16(byte_buffer b, std::size_t at, std::uint16_t v) {
  b[at] = static_cast<std::uint8_t>(v >> 8);
  b[at + 1] = static_cast<std::uint8_t>(v);
}

inline void write_be32(byte_buffer b, std::size_t at, std::uint32_t v) {
  b[at] = static_cast<std::uint8_t>(v >> 24);
  b[at + 1] = static_cast<std::uint8_t>(v >> 16);
  b[at + 2] = static_cast<std::uint8_t>(v >> 8);
  b[at + 3] = static_cast<std::uint8_t>(v);
}

} // namespace etherbeam::protocols
