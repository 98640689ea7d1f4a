#include "protocols/checksum.hpp"

namespace etherbeam::protocols {

internet_checksum& internet_checksum::add(byte_view bytes) {
  std::size_t i = 0;
  for (; i + 1 < bytes.size(); i += 2) sum_ += read_be16(bytes, i);
  if (i < bytes.size()) sum_ += std::uint16_t(bytes[i] << 8); // RFC 1071: pad odd byte with zero
  return *this;
}

std::uint16_t internet_checksum::value() const {
  std::uint64_t s = sum_;
  while (s >> 16) s = (s & 0xffff) + (s >> 16);
  return static_cast<std::uint16_t>(~s);
}

} // namespace etherbeam::protocols
