#include "apps/decoder/frame_views.hpp"

#include <algorithm>
#include <cstdio>

#include "apps/decoder/field_notes.hpp"

namespace etherbeam::apps::decoder {

namespace {

// One colour per layer, in order (eth, then its payload's layers).
constexpr const char* layer_colours[] = {"\033[36m", "\033[33m", "\033[32m", "\033[35m", "\033[34m", "\033[31m"};
constexpr const char* reset = "\033[0m";

std::string spans(const field& f) {
  if (f.length == 0) return "0 bytes, at " + std::to_string(f.offset); // an empty PadN, an empty name
  return f.length == 1 ? "byte " + std::to_string(f.offset)
                       : "bytes " + std::to_string(f.offset) + "-" + std::to_string(f.offset + f.length - 1);
}

void field_lines(std::string& out, const field& f, int depth, const view_options& o) {
  std::string indent(4 * depth, ' ');
  // A field that only groups others (an extension header, an option) has no value of its own.
  if (f.value.empty() && !f.children.empty()) out += indent + f.label + (f.meaning.empty() ? "" : ": " + f.meaning);
  else out += indent + f.label + ": " + f.value + (f.meaning.empty() ? "" : " (" + f.meaning + ")");
  out += "  [" + f.name + ", " + spans(f) + "]\n";
  if (o.explain)
    if (const auto* note = note_for(f.name))
      out += indent + "    ↳ " + std::string(note->what) + " (" + std::string(note->where) + ")\n";
  for (const auto& child : f.children) field_lines(out, child, depth + 1, o);
}

bool wanted(const view_options& o, const std::string& layer) {
  return o.only.empty() || std::find(o.only.begin(), o.only.end(), layer) != o.only.end();
}

std::string protocols_of(const decoded_frame& f) {
  std::string out;
  for (const auto& l : f.layers) out += (out.empty() ? "" : ":") + l.name;
  return out;
}

std::string malformed_line(const malformation& m) {
  return "[Malformed " + m.layer + (m.field.empty() ? "" : ", field " + m.field) + ", at byte " +
         std::to_string(m.offset) + ": " + m.why + "]";
}

// JSON written by hand: a decoder is judged by its rate, and a DOM per frame
// (nlohmann's) cost three quarters of it.
void quoted(std::string& out, std::string_view text) {
  static const char hex[] = "0123456789abcdef";
  out += '"';
  for (unsigned char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20 || c >= 0x7f) { // control bytes, and bytes of a text field that may not be UTF-8
      out += "\\u00";
      out += hex[c >> 4];
      out += hex[c & 0xf];
    } else {
      out += static_cast<char>(c);
    }
  }
  out += '"';
}

void field_json(std::string& out, const field& f) {
  out += "{\"name\":";
  quoted(out, f.name);
  out += ",\"value\":";
  quoted(out, f.value);
  out += ",\"offset\":" + std::to_string(f.offset) + ",\"length\":" + std::to_string(f.length);
  if (!f.meaning.empty()) {
    out += ",\"meaning\":";
    quoted(out, f.meaning);
  }
  if (!f.children.empty()) {
    out += ",\"children\":[";
    for (std::size_t i = 0; i < f.children.size(); ++i) {
      if (i) out += ',';
      field_json(out, f.children[i]);
    }
    out += ']';
  }
  out += '}';
}

} // namespace

std::string summary_line(std::size_t number, double seconds, const decoded_frame& f) {
  char head[64];
  std::snprintf(head, sizeof head, "%6zu %11.6f ", number, seconds);
  std::string out = head + f.source + " → " + f.destination + " " + f.protocol + " " + std::to_string(f.length) +
                    " " + f.info;
  if (f.malformed) out += " " + malformed_line(*f.malformed);
  return out;
}

std::string hex_dump(const decoded_frame& f, protocols::byte_view bytes, bool colour) {
  // The innermost layer that holds each byte picks its colour.
  std::vector<int> owner(bytes.size(), -1);
  for (std::size_t i = 0; i < f.layers.size(); ++i)
    for (std::size_t b = f.layers[i].offset; b < std::min(bytes.size(), f.layers[i].offset + f.layers[i].length); ++b)
      owner[b] = static_cast<int>(i);
  std::string out;
  char text[24];
  for (std::size_t line = 0; line < bytes.size(); line += 16) {
    std::snprintf(text, sizeof text, "%04zx  ", line);
    out += text;
    std::string ascii;
    for (std::size_t b = line; b < line + 16; ++b) {
      if (b >= bytes.size()) {
        out += "   ";
        continue;
      }
      std::snprintf(text, sizeof text, "%02x", bytes[b]);
      if (colour && owner[b] >= 0) out += std::string(layer_colours[owner[b] % 6]) + text + reset + " ";
      else out += std::string(text) + " ";
      ascii += bytes[b] >= 0x20 && bytes[b] < 0x7f ? static_cast<char>(bytes[b]) : '.';
      if (b - line == 7) out += " ";
    }
    out += "  " + ascii + "\n";
  }
  return out;
}

std::string text_view(std::size_t number, double seconds, const decoded_frame& f, protocols::byte_view bytes,
                      const view_options& o) {
  std::string out;
  if (!o.verbose) {
    out = summary_line(number, seconds, f) + "\n";
  } else {
    out = "Frame " + std::to_string(number) + ": " + std::to_string(f.length) + " bytes, " + protocols_of(f) + "\n";
    for (std::size_t i = 0; i < f.layers.size(); ++i) {
      const auto& l = f.layers[i];
      // A layer of no bytes of its own (raw IP's) is named without a range.
      std::string title = l.title + "  [" + l.name +
                          (l.length ? ", bytes " + std::to_string(l.offset) + "-" + std::to_string(l.offset + l.length - 1)
                                    : std::string()) + "]";
      out += o.colour ? std::string(layer_colours[i % 6]) + title + reset + "\n" : title + "\n";
      if (!wanted(o, l.name)) continue;
      for (const auto& field : l.fields) field_lines(out, field, 1, o);
    }
    if (f.malformed) out += malformed_line(*f.malformed) + "\n";
  }
  if (o.hex) out += hex_dump(f, bytes, o.colour);
  if (o.verbose || o.hex) out += "\n";
  return out;
}

std::string json_view(std::size_t number, double seconds, const decoded_frame& f) {
  std::string out;
  out.reserve(4096);
  char head[96];
  std::snprintf(head, sizeof head, "{\"frame\":%zu,\"time\":%.9f,\"length\":%zu,\"protocols\":", number, seconds,
                f.length);
  out += head;
  quoted(out, protocols_of(f));
  out += ",\"layers\":[";
  for (std::size_t i = 0; i < f.layers.size(); ++i) {
    const auto& l = f.layers[i];
    out += i ? ",{\"layer\":" : "{\"layer\":";
    quoted(out, l.name);
    out += ",\"title\":";
    quoted(out, l.title);
    out += ",\"offset\":" + std::to_string(l.offset) + ",\"length\":" + std::to_string(l.length) + ",\"fields\":[";
    for (std::size_t k = 0; k < l.fields.size(); ++k) {
      if (k) out += ',';
      field_json(out, l.fields[k]);
    }
    out += "]}";
  }
  out += ']';
  if (f.malformed) {
    out += ",\"malformed\":{\"layer\":";
    quoted(out, f.malformed->layer);
    out += ",\"field\":";
    quoted(out, f.malformed->field);
    out += ",\"offset\":" + std::to_string(f.malformed->offset) + ",\"why\":";
    quoted(out, f.malformed->why);
    out += '}';
  }
  out += '}';
  return out;
}

} // namespace etherbeam::apps::decoder
