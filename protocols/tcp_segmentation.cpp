#include "protocols/tcp_segmentation.hpp"

#include <algorithm>
#include <vector>

#include "protocols/checksum.hpp"
#include "protocols/ipv4.hpp"
#include "protocols/tcp.hpp"

namespace etherbeam::protocols {

namespace {

using ip_protocol::tcp;
using tcp_field::fin, tcp_field::psh, tcp_field::cwr;

struct tcp_packet_layout {
  std::size_t ip_at = 0, ip_header_len = 0, tcp_header_len = 0, payload_len = 0;
  bool ipv6 = false;
};

segmentation find_layout(byte_view frame, tcp_packet_layout& p) {
  std::size_t at = 12;
  if (frame.size() < at + 2) return segmentation::not_tcp;
  auto type = read_be16(frame, at);
  for (int tags = 0; (type == 0x8100 || type == 0x88a8) && tags < 2; ++tags) {
    at += 4;
    if (frame.size() < at + 2) return segmentation::not_tcp;
    type = read_be16(frame, at);
  }
  p.ip_at = at + 2;
  std::size_t ip_len = 0;
  if (type == 0x0800) {
    if (frame.size() < p.ip_at + 20 || (frame[p.ip_at] >> 4) != 4) return segmentation::not_tcp;
    if (frame[p.ip_at + 9] != tcp || (read_be16(frame, p.ip_at + 6) & 0x3fff) != 0) return segmentation::not_tcp;
    p.ip_header_len = std::size_t(frame[p.ip_at] & 0x0f) * 4;
    ip_len = read_be16(frame, p.ip_at + 2);
  } else if (type == 0x86dd) {
    if (frame.size() < p.ip_at + 40 || (frame[p.ip_at] >> 4) != 6 || frame[p.ip_at + 6] != tcp)
      return segmentation::not_tcp;
    p.ipv6 = true;
    p.ip_header_len = 40;
    ip_len = 40 + std::size_t(read_be16(frame, p.ip_at + 4));
  } else {
    return segmentation::not_tcp;
  }
  std::size_t tcp_at = p.ip_at + p.ip_header_len;
  if (p.ip_header_len < 20 || ip_len < p.ip_header_len + 20 || p.ip_at + ip_len > frame.size())
    return segmentation::malformed;
  p.tcp_header_len = std::size_t(frame[tcp_at + tcp_field::data_offset] >> 4) * 4;
  if (p.tcp_header_len < 20 || p.ip_header_len + p.tcp_header_len > ip_len) return segmentation::malformed;
  p.payload_len = ip_len - p.ip_header_len - p.tcp_header_len;
  return segmentation::segmented;
}

std::uint16_t tcp_checksum(byte_view segment, const tcp_packet_layout& p) {
  auto ip = segment.subspan(p.ip_at);
  auto tcp_bytes = ip.subspan(p.ip_header_len);
  internet_checksum sum;
  if (p.ipv6) sum.add(ip.subspan(8, 32)).add_u32(static_cast<std::uint32_t>(tcp_bytes.size())).add_u16(tcp);
  else sum.add(ip.subspan(12, 8)).add_u16(tcp).add_u16(static_cast<std::uint16_t>(tcp_bytes.size()));
  return sum.add(tcp_bytes).value();
}

} // namespace

segmentation segment_tcp_frame(byte_view frame, std::size_t mtu, const std::function<void(byte_view)>& emit,
                               std::size_t segment_payload) {
  tcp_packet_layout p;
  if (auto found = find_layout(frame, p); found != segmentation::segmented) return found;
  std::size_t headers = p.ip_header_len + p.tcp_header_len;
  if (mtu <= headers) return headers + p.payload_len <= mtu ? segmentation::fits : segmentation::mtu_too_small;
  std::size_t mss = mtu - headers;
  if (segment_payload) mss = std::min(mss, segment_payload);
  if (p.payload_len <= mss) return segmentation::fits;

  std::size_t tcp_at = p.ip_at + p.ip_header_len, payload_at = tcp_at + p.tcp_header_len;
  auto head = frame.first(payload_at);
  std::uint32_t sequence = read_be32(frame, tcp_at + tcp_field::sequence);
  std::uint16_t identification = p.ipv6 ? 0 : read_be16(frame, p.ip_at + 4);
  std::uint8_t flags = frame[tcp_at + tcp_field::flags];
  std::vector<std::uint8_t> out;
  out.reserve(payload_at + mss);
  std::size_t n = 0;
  for (std::size_t sent = 0; sent < p.payload_len; sent += mss, ++n) {
    std::size_t chunk = std::min(mss, p.payload_len - sent);
    bool first = sent == 0, last = sent + chunk == p.payload_len;
    out.assign(head.begin(), head.end());
    out.insert(out.end(), frame.begin() + payload_at + sent, frame.begin() + payload_at + sent + chunk);
    byte_buffer s(out);
    if (p.ipv6) {
      write_be16(s, p.ip_at + 4, static_cast<std::uint16_t>(p.tcp_header_len + chunk));
    } else {
      write_be16(s, p.ip_at + 2, static_cast<std::uint16_t>(headers + chunk));
      write_be16(s, p.ip_at + 4, static_cast<std::uint16_t>(identification + n));
      write_be16(s, p.ip_at + 10, 0);
      write_be16(s, p.ip_at + 10, checksum_of(byte_view(s).subspan(p.ip_at, p.ip_header_len)));
    }
    write_be32(s, tcp_at + tcp_field::sequence, static_cast<std::uint32_t>(sequence + sent));
    std::uint8_t f = flags;
    if (!last) f &= static_cast<std::uint8_t>(~(fin | psh));
    if (!first) f &= static_cast<std::uint8_t>(~cwr);
    s[tcp_at + tcp_field::flags] = f;
    write_be16(s, tcp_at + tcp_field::checksum, 0);
    write_be16(s, tcp_at + tcp_field::checksum, tcp_checksum(s, p));
    emit(s);
  }
  return segmentation::segmented;
}

} // namespace etherbeam::protocols
