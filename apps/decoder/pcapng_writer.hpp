#pragma once
// pcapng (draft-ietf-opsawg-pcapng) as etherbeam records it: one section, an
// interface per link (named, Ethernet), and an enhanced packet block per
// frame whose flags say whether etherbeam took it in or sent it out, so that
// Wireshark shows both directions of every link. Pure: blocks into bytes.
#include <cstdint>
#include <string>
#include <vector>

#include "protocols/bytes.hpp"

namespace etherbeam::apps::decoder {

enum class frame_direction : std::uint8_t { inbound = 1, outbound = 2 }; // epb_flags' bits 0-1

class pcapng_writer {
public:
  // The section header, then one interface description per link, in link order.
  static std::vector<std::uint8_t> header(const std::vector<std::string>& link_names);
  // An enhanced packet block; `microseconds` since the epoch (the default
  // if_tsresol).
  static void packet(std::vector<std::uint8_t>& out, std::uint32_t link, std::uint64_t microseconds,
                     frame_direction direction, protocols::byte_view frame);
};

} // namespace etherbeam::apps::decoder
