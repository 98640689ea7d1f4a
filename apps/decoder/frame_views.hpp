#pragma once
// How a decoded frame is shown: tshark's one line per frame; with -V the
// layered tree, every field with its value, its meaning and its bytes (with
// --explain, what the field is for); with -x a hex dump whose bytes are
// coloured by layer on a terminal; or -T json, one object per frame per
// line, Wireshark's field names with their values and byte spans. Pure.
#include <string>
#include <vector>

#include "apps/decoder/decoded_frame.hpp"

namespace etherbeam::apps::decoder {

struct view_options {
  bool verbose = false;            // -V
  bool hex = false;                // -x
  bool explain = false;            // --explain
  bool colour = false;             // on a terminal
  std::vector<std::string> only;   // -O: the protocols to show in detail (empty: all, with -V)
};

std::string summary_line(std::size_t number, double seconds, const decoded_frame& f);
std::string text_view(std::size_t number, double seconds, const decoded_frame& f, protocols::byte_view bytes,
                      const view_options& options);
std::string hex_dump(const decoded_frame& f, protocols::byte_view bytes, bool colour);
// One line of JSON (no newline).
std::string json_view(std::size_t number, double seconds, const decoded_frame& f);

} // namespace etherbeam::apps::decoder
