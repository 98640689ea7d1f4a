#pragma once
// The Internet checksum (RFC 1071), shared by IPv4, ICMP and UDP.
#include <cstdint>

#include "protocols/bytes.hpp"

namespace etherbeam::protocols {

// Accumulates 16-bit one's-complement sums over several pieces (pseudo-header,
// header, payload). Pieces of odd length are only allowed as the last piece.
class internet_checksum {
public:
  internet_checksum& add(byte_view bytes);
  internet_checksum& add_u16(std::uint16_t v) { sum_ += v; return *this; }
  internet_checksum& add_u32(std::uint32_t v) { return add_u16(v >> 16).add_u16(v & 0xffff); }
  // The value to store in a checksum field (complement of the folded sum).
  std::uint16_t value() const;
  // True when the covered bytes, checksum field included, sum to all ones.
  bool verifies() const { return value() == 0; }

private:
  std::uint64_t sum_ = 0;
};

inline std::uint16_t checksum_of(byte_view bytes) { return internet_checksum{}.add(bytes).value(); }

// Updates the checksum stored at `at` in `bytes` for one 16-bit word of what
// it covers changing from `before` to `after`, without summing the rest
// again (RFC 1624 eqn. 3): a router lowering a TTL, NAT rewriting a port.
void adjust_checksum(byte_buffer bytes, std::size_t at, std::uint16_t before, std::uint16_t after);

} // namespace etherbeam::protocols
