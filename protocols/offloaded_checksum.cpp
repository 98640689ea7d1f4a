#include "protocols/offloaded_checksum.hpp"

#include "protocols/checksum.hpp"
#include "protocols/ipv4.hpp"

namespace etherbeam::protocols {

namespace {

using ip_protocol::tcp, ip_protocol::udp;
constexpr std::size_t tcp_checksum_at = 16, udp_checksum_at = 6;

// The transport segment and the pseudo-header sum the checksum covers.
struct segment {
  std::size_t at = 0, len = 0;
  std::uint8_t protocol = 0;
  internet_checksum pseudo_header;
};

bool ipv4_segment(byte_view frame, std::size_t ip_at, segment& s) {
  if (frame.size() < ip_at + 20 || (frame[ip_at] >> 4) != 4) return false;
  std::size_t header_len = std::size_t(frame[ip_at] & 0x0f) * 4;
  std::size_t total_len = read_be16(frame, ip_at + 2);
  bool fragment = (read_be16(frame, ip_at + 6) & 0x3fff) != 0; // MF set or an offset
  if (header_len < 20 || total_len < header_len || ip_at + total_len > frame.size() || fragment) return false;
  s.at = ip_at + header_len;
  s.len = total_len - header_len;
  s.protocol = frame[ip_at + 9];
  s.pseudo_header.add(frame.subspan(ip_at + 12, 8)).add_u16(s.protocol).add_u16(static_cast<std::uint16_t>(s.len));
  return true;
}

bool ipv6_segment(byte_view frame, std::size_t ip_at, segment& s) {
  if (frame.size() < ip_at + 40 || (frame[ip_at] >> 4) != 6) return false;
  s.at = ip_at + 40;
  s.len = read_be16(frame, ip_at + 4);
  s.protocol = frame[ip_at + 6]; // an extension header here is left alone
  if (s.at + s.len > frame.size()) return false;
  s.pseudo_header.add(frame.subspan(ip_at + 8, 32)).add_u32(static_cast<std::uint32_t>(s.len)).add_u16(s.protocol);
  return true;
}

} // namespace

bool complete_offloaded_checksum(byte_buffer frame) {
  std::size_t at = 12;
  if (frame.size() < at + 2) return false;
  auto type = read_be16(frame, at);
  for (int tags = 0; (type == 0x8100 || type == 0x88a8) && tags < 2; ++tags) {
    at += 4;
    if (frame.size() < at + 2) return false;
    type = read_be16(frame, at);
  }
  segment s;
  if (!(type == 0x0800 ? ipv4_segment(frame, at + 2, s) : type == 0x86dd && ipv6_segment(frame, at + 2, s)))
    return false;
  std::size_t field = s.protocol == tcp ? tcp_checksum_at : s.protocol == udp ? udp_checksum_at : s.len;
  if (field + 2 > s.len) return false;
  write_be16(frame, s.at + field, 0);
  auto sum = s.pseudo_header.add(byte_view{frame}.subspan(s.at, s.len)).value();
  if (s.protocol == udp && sum == 0) sum = 0xffff; // RFC 768: zero means "no checksum"
  write_be16(frame, s.at + field, sum);
  return true;
}

} // namespace etherbeam::protocols
