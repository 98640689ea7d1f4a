#include "protocols/arp.hpp"

#include "protocols/ethernet.hpp"

namespace etherbeam::protocols {

namespace {
constexpr std::uint16_t hardware_ethernet = 1;
}

parsed<arp_packet> arp_packet::check(byte_view bytes) {
  // Frames are padded to 60 bytes on the wire, so trailing bytes are normal.
  if (bytes.size() < length) return parse_error::truncated;
  return arp_packet{bytes.first(length)};
}

parsed<arp_repr> arp_repr::parse(const arp_packet& p) {
  if (p.hardware_type() != hardware_ethernet || p.hardware_len() != 6)
    return parse_error::unsupported_hardware;
  if (p.protocol_type() != ethertype::ipv4 || p.protocol_len() != 4)
    return parse_error::unsupported_protocol;
  auto op = p.operation();
  if (op != 1 && op != 2) return parse_error::bad_operation;
  return arp_repr{static_cast<arp_operation>(op), p.sender_hardware(), p.sender_protocol(),
                  p.target_hardware(), p.target_protocol()};
}

void arp_repr::emit(byte_buffer out) const {
  write_be16(out, 0, hardware_ethernet);
  write_be16(out, 2, ethertype::ipv4);
  out[4] = 6;
  out[5] = 4;
  write_be16(out, 6, static_cast<std::uint16_t>(operation));
  sender_hardware.write(out, 8);
  sender_protocol.write(out, 14);
  target_hardware.write(out, 18);
  target_protocol.write(out, 24);
}

} // namespace etherbeam::protocols
