#include "protocols/arp.hpp"

#include "protocols/ethernet.hpp"

namespace etherbeam::protocols {

namespace {
constexpr std::uint16_t hardware_ethernet = 1;
}

template <class Byte>
parsed<basic_arp_packet<Byte>> basic_arp_packet<Byte>::check(bytes_type bytes) {
  // Frames are padded to 60 bytes on the wire, so trailing bytes are normal.
  if (bytes.size() < length) return parse_error::truncated;
  return basic_arp_packet{bytes.first(length)};
}

template parsed<arp_packet> arp_packet::check(byte_view);

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
  auto p = arp_packet_writer::new_unchecked(out.first(arp_packet::length));
  p.set_hardware(hardware_ethernet, 6);
  p.set_protocol(ethertype::ipv4, 4);
  p.set_operation(static_cast<std::uint16_t>(operation));
  p.set_sender(sender_hardware, sender_protocol);
  p.set_target(target_hardware, target_protocol);
}

} // namespace etherbeam::protocols
