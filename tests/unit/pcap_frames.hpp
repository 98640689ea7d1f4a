#pragma once
// Reads every frame of a classic .pcap capture in tests/data: for captures
// too large to keep as byte arrays in captured_frames.hpp.
#include <cstdint>
#include <cstring>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <vector>

namespace etherbeam::test_frames {

inline std::vector<std::vector<std::uint8_t>> pcap_frames(const std::string& name) {
  std::string path = std::string(ETHERBEAM_SOURCE_DIR) + "/tests/data/" + name;
  std::ifstream in(path, std::ios::binary);
  std::vector<std::uint8_t> data{std::istreambuf_iterator<char>(in), {}};
  if (data.size() < 24) throw std::runtime_error("not a pcap capture: " + path);
  auto u32 = [&](std::size_t at) {
    std::uint32_t v;
    std::memcpy(&v, &data[at], 4);
    return v; // little-endian captures only, as tcpdump writes them here
  };
  if (u32(0) != 0xa1b2c3d4 && u32(0) != 0xa1b23c4d) throw std::runtime_error("not a little-endian pcap: " + path);
  std::vector<std::vector<std::uint8_t>> frames;
  for (std::size_t at = 24; at + 16 <= data.size();) {
    std::size_t len = u32(at + 8);
    if (at + 16 + len > data.size()) break;
    frames.emplace_back(data.begin() + static_cast<std::ptrdiff_t>(at + 16),
                        data.begin() + static_cast<std::ptrdiff_t>(at + 16 + len));
    at += 16 + len;
  }
  return frames;
}

} // namespace etherbeam::test_frames
