#pragma once
// `etherbeam decode --explain`: for each field, one line of what it is for
// and where it is defined. One table (field_notes.cpp), not prose scattered
// through the decoders. Pure.
#include <string_view>

namespace etherbeam::apps::decoder {

struct field_note {
  std::string_view field; // Wireshark's name
  std::string_view what;  // what the field is for
  std::string_view where; // "RFC 791 §3.1"
};

// The note for a field, or null when there is none.
const field_note* note_for(std::string_view field);

} // namespace etherbeam::apps::decoder
