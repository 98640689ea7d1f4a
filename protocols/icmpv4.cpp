#include "protocols/icmpv4.hpp"

#include <algorithm>

#include "protocols/checksum.hpp"

namespace etherbeam::protocols {

parsed<icmpv4_packet> icmpv4_packet::check(byte_view bytes) {
  if (bytes.size() < header_len) return parse_error::truncated;
  return icmpv4_packet{bytes};
}

bool icmpv4_packet::checksum_valid() const { return internet_checksum{}.add(bytes_).verifies(); }

parsed<icmpv4_echo_repr> icmpv4_echo_repr::parse(const icmpv4_packet& p) {
  if (!p.checksum_valid()) return parse_error::bad_checksum;
  bool request = p.type() == icmpv4_type::echo_request;
  if ((!request && p.type() != icmpv4_type::echo_reply) || p.code() != 0)
    return parse_error::bad_operation;
  return icmpv4_echo_repr{request, p.echo_identifier(), p.echo_sequence(), p.data()};
}

void icmpv4_echo_repr::emit(byte_buffer out) const {
  out[0] = is_request ? icmpv4_type::echo_request : icmpv4_type::echo_reply;
  out[1] = 0;
  write_be16(out, 2, 0);
  write_be16(out, 4, identifier);
  write_be16(out, 6, sequence);
  std::copy(data.begin(), data.end(), out.begin() + icmpv4_packet::header_len);
  write_be16(out, 2, checksum_of(out.first(buffer_len())));
}

} // namespace etherbeam::protocols
