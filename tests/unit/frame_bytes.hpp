#pragma once
// Small helpers for tests that start from captured frames.
#include <cstdint>
#include <span>
#include <vector>

#include "tests/data/captured_frames.hpp"

namespace etherbeam::test_frames {

template <std::size_t N> std::vector<std::uint8_t> copy_of(const std::uint8_t (&frame)[N]) {
  return {frame, frame + N};
}

inline std::span<const std::uint8_t> view(const std::vector<std::uint8_t>& v) { return v; }

// Offsets into the untagged IPv4 frames captured in the lab.
inline constexpr std::size_t ip_at = 14;
inline constexpr std::size_t icmp_at = 34;

} // namespace etherbeam::test_frames
