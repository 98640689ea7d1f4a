#pragma once
// The lab's captured frames, decoded, and a way to find a field in them.
#include <stdexcept>
#include <string>

#include "apps/decoder/frame_decoder.hpp"
#include "tests/unit/pcap_frames.hpp"

namespace etherbeam::decoder_test {

using apps::decoder::decoded_frame;
using apps::decoder::field;

inline const field* find_in(const std::vector<field>& fields, const std::string& name) {
  for (const auto& f : fields) {
    if (f.name == name) return &f;
    if (const auto* c = find_in(f.children, name)) return c;
  }
  return nullptr;
}

// The first field named `name` in the frame (any layer); throws when there is none.
inline const field& field_of(const decoded_frame& d, const std::string& name) {
  for (const auto& l : d.layers)
    if (const auto* f = find_in(l.fields, name)) return *f;
  throw std::out_of_range("no field " + name);
}

// The frame's layers by name, as tshark's frame.protocols: "eth:ip:icmp:data".
inline std::string layer_names(const decoded_frame& d) {
  std::string out;
  for (const auto& l : d.layers) out += (out.empty() ? "" : ":") + l.name;
  return out;
}

inline std::vector<std::uint8_t> lab_frame(const char* pcap, std::size_t index) {
  return test_frames::pcap_frames(pcap).at(index);
}

} // namespace etherbeam::decoder_test
