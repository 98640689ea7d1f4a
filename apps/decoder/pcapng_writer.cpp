#include "apps/decoder/pcapng_writer.hpp"

#include <cstring>

namespace etherbeam::apps::decoder {

namespace {

// Host byte order, as pcapng allows: the section header's byte-order magic tells readers.
void put32(std::vector<std::uint8_t>& out, std::uint32_t v) {
  std::uint8_t b[4];
  std::memcpy(b, &v, 4);
  out.insert(out.end(), b, b + 4);
}

void put16(std::vector<std::uint8_t>& out, std::uint16_t v) {
  std::uint8_t b[2];
  std::memcpy(b, &v, 2);
  out.insert(out.end(), b, b + 2);
}

void pad(std::vector<std::uint8_t>& out) {
  while (out.size() % 4) out.push_back(0);
}

// Writes the block's total length at `start` and at its end.
void close_block(std::vector<std::uint8_t>& out, std::size_t start) {
  auto length = static_cast<std::uint32_t>(out.size() - start + 4);
  std::memcpy(out.data() + start + 4, &length, 4);
  put32(out, length);
}

void option(std::vector<std::uint8_t>& out, std::uint16_t code, const void* value, std::size_t len) {
  put16(out, code);
  put16(out, static_cast<std::uint16_t>(len));
  auto* bytes = static_cast<const std::uint8_t*>(value);
  out.insert(out.end(), bytes, bytes + len);
  pad(out);
}

} // namespace

std::vector<std::uint8_t> pcapng_writer::header(const std::vector<std::string>& link_names) {
  std::vector<std::uint8_t> out;
  std::size_t start = out.size();
  put32(out, 0x0a0d0d0a); // section header block
  put32(out, 0);          // total length, below
  put32(out, 0x1a2b3c4d); // byte-order magic
  put16(out, 1);          // version 1.0
  put16(out, 0);
  put32(out, 0xffffffff); // section length: not given
  put32(out, 0xffffffff);
  static const char app[] = "etherbeam --record";
  option(out, 4, app, sizeof app - 1); // shb_userappl
  put32(out, 0);                       // opt_endofopt
  close_block(out, start);
  for (const auto& name : link_names) {
    start = out.size();
    put32(out, 1); // interface description block
    put32(out, 0);
    put16(out, 1); // LINKTYPE_ETHERNET
    put16(out, 0);
    put32(out, 262144); // snap length
    option(out, 2, name.data(), name.size()); // if_name
    put32(out, 0);
    close_block(out, start);
  }
  return out;
}

void pcapng_writer::packet(std::vector<std::uint8_t>& out, std::uint32_t link, std::uint64_t microseconds,
                           frame_direction direction, protocols::byte_view frame) {
  std::size_t start = out.size();
  put32(out, 6); // enhanced packet block
  put32(out, 0);
  put32(out, link);
  put32(out, static_cast<std::uint32_t>(microseconds >> 32));
  put32(out, static_cast<std::uint32_t>(microseconds));
  put32(out, static_cast<std::uint32_t>(frame.size()));
  put32(out, static_cast<std::uint32_t>(frame.size()));
  out.insert(out.end(), frame.begin(), frame.end());
  pad(out);
  std::uint32_t flags = static_cast<std::uint32_t>(direction);
  option(out, 2, &flags, 4); // epb_flags
  put32(out, 0);
  close_block(out, start);
}

} // namespace etherbeam::apps::decoder
