#include "protocols/ipv4_options.hpp"

#include <chrono>

#include "protocols/checksum.hpp"
#include "protocols/ipv4.hpp"

namespace etherbeam::protocols {

options_outcome record_route_and_time(byte_buffer header, ipv4_address address, std::uint32_t ms_since_midnight) {
  constexpr std::uint8_t end = 0, nop = 1, record_route = 7, timestamp = 68, loose_route = 131, strict_route = 137;
  bool recorded = false;
  for (std::size_t at = ipv4_packet::min_header_len; at < header.size();) {
    std::uint8_t type = header[at];
    if (type == end) break;
    if (type == nop) {
      ++at;
      continue;
    }
    if (at + 1 >= header.size()) break;
    std::size_t len = header[at + 1];
    if (len < 2 || at + len > header.size()) break; // malformed: left as it came
    if (type == loose_route || type == strict_route) return options_outcome::source_routed;
    auto option = header.subspan(at, len);
    std::size_t pointer = len > 2 ? option[2] : 0; // 1-based, from the option's first byte
    if (type == record_route && pointer >= 4 && pointer + 3 <= len) {
      address.write(option, pointer - 1);
      option[2] = static_cast<std::uint8_t>(pointer + 4);
      recorded = true;
    } else if (type == timestamp && len >= 4 && pointer >= 5) {
      std::uint8_t flag = option[3] & 0x0f, overflow = option[3] >> 4;
      std::size_t slot = flag == 0 ? 4 : 8;
      if (pointer + slot - 1 > len) { // full: the hop is counted (up to 15)
        if (flag != 3 && overflow < 15) {
          option[3] = static_cast<std::uint8_t>((overflow + 1) << 4 | flag);
          recorded = true;
        }
      } else if (flag == 0) {
        write_be32(option, pointer - 1, ms_since_midnight);
        option[2] = static_cast<std::uint8_t>(pointer + 4);
        recorded = true;
      } else if (flag == 1 || (flag == 3 && ipv4_address::read(option, pointer - 1) == address)) {
        address.write(option, pointer - 1);
        write_be32(option, pointer + 3, ms_since_midnight);
        option[2] = static_cast<std::uint8_t>(pointer + 8);
        recorded = true;
      }
    }
    at += len;
  }
  if (!recorded) return options_outcome::none;
  write_be16(header, ipv4_field::checksum, 0);
  write_be16(header, ipv4_field::checksum, checksum_of(header));
  return options_outcome::recorded;
}

std::uint32_t ms_since_midnight_ut() {
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch());
  return static_cast<std::uint32_t>(ms.count() % (24 * 3600 * 1000));
}

} // namespace etherbeam::protocols
