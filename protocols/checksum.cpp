#include "protocols/checksum.hpp"

#include <bit>
#include <cstring>

namespace etherbeam::protocols {

internet_checksum& internet_checksum::add(byte_view bytes) {
  // RFC 1071 §2(B): the one's complement sum does not depend on byte order,
  // so 32-bit words are summed as the CPU reads them and the folded result
  // turned big-endian once: a quarter of the additions of 16-bit reads.
  std::uint64_t native = 0;
  std::size_t i = 0;
  for (; i + 4 <= bytes.size(); i += 4) {
    std::uint32_t word;
    std::memcpy(&word, bytes.data() + i, 4);
    native += word;
  }
  for (; i + 2 <= bytes.size(); i += 2) {
    std::uint16_t half;
    std::memcpy(&half, bytes.data() + i, 2);
    native += half;
  }
  while (native >> 16) native = (native & 0xffff) + (native >> 16);
  auto folded = static_cast<std::uint16_t>(native);
  if constexpr (std::endian::native == std::endian::little)
    folded = static_cast<std::uint16_t>((folded >> 8) | (folded << 8));
  sum_ += folded;
  if (i < bytes.size()) sum_ += std::uint16_t(bytes[i] << 8); // RFC 1071: pad odd byte with zero
  return *this;
}

std::uint16_t internet_checksum::value() const {
  std::uint64_t s = sum_;
  while (s >> 16) s = (s & 0xffff) + (s >> 16);
  return static_cast<std::uint16_t>(~s);
}

void adjust_checksum(byte_buffer bytes, std::size_t at, std::uint16_t before, std::uint16_t after) {
  std::uint32_t sum = static_cast<std::uint16_t>(~read_be16(bytes, at));
  sum += static_cast<std::uint16_t>(~before);
  sum += after;
  sum = (sum & 0xffff) + (sum >> 16);
  sum = (sum & 0xffff) + (sum >> 16);
  write_be16(bytes, at, static_cast<std::uint16_t>(~sum));
}

} // namespace etherbeam::protocols
