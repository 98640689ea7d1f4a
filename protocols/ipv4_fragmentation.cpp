#include "protocols/ipv4_fragmentation.hpp"

#include <algorithm>
#include <vector>

namespace etherbeam::protocols {

namespace {

namespace option_type {
inline constexpr std::uint8_t end_of_list = 0, no_operation = 1, copied_flag = 0x80;
}

// The header of every fragment but the first: the fixed part and the options
// marked "copied", padded with end-of-list to a multiple of 4 bytes.
std::vector<std::uint8_t> later_fragment_header(const ipv4_packet& ip) {
  auto header = ip.header();
  std::vector<std::uint8_t> out(header.begin(), header.begin() + ipv4_packet::min_header_len);
  auto options = ip.options();
  for (std::size_t i = 0; i < options.size();) {
    auto type = options[i];
    if (type == option_type::end_of_list) break;
    if (type == option_type::no_operation) {
      ++i;
      continue;
    }
    if (i + 1 >= options.size()) break;
    std::size_t len = options[i + 1];
    if (len < 2 || i + len > options.size()) break; // a lying length: keep what came before it
    if (type & option_type::copied_flag) out.insert(out.end(), options.begin() + i, options.begin() + i + len);
    i += len;
  }
  while (out.size() % 4) out.push_back(option_type::end_of_list);
  auto w = ipv4_packet_writer::new_unchecked(out);
  w.set_version_and_header_len(out.size());
  return out;
}

} // namespace

fragmentation fragment_frame(byte_view frame, std::size_t link_header_len, std::size_t mtu,
                             const std::function<void(byte_view)>& emit) {
  if (frame.size() < link_header_len) return fragmentation::not_ipv4;
  auto ip = ipv4_packet::check(frame.subspan(link_header_len));
  if (!ip) return fragmentation::not_ipv4;
  if (ip->total_len() <= mtu) return fragmentation::fits;
  if (ip->dont_fragment()) return fragmentation::dont_fragment;

  auto first_header = ip->header();
  auto later_header = later_fragment_header(*ip);
  if (mtu < std::max(first_header.size(), later_header.size()) + 8) return fragmentation::mtu_too_small;

  auto link = frame.first(link_header_len);
  auto payload = ip->payload();
  std::size_t base = std::size_t(ip->fragment_offset()) * 8;
  bool original_more = ip->more_fragments();
  std::vector<std::uint8_t> out;
  out.reserve(link_header_len + mtu);
  for (std::size_t sent = 0; sent < payload.size();) {
    byte_view header = sent == 0 ? first_header : byte_view(later_header);
    std::size_t room = (mtu - header.size()) & ~std::size_t(7);
    std::size_t chunk = std::min(room, payload.size() - sent);
    bool more = sent + chunk < payload.size() || original_more;
    out.assign(link.begin(), link.end());
    out.insert(out.end(), header.begin(), header.end());
    out.insert(out.end(), payload.begin() + sent, payload.begin() + sent + chunk);
    auto w = ipv4_packet_writer::new_unchecked(std::span(out).subspan(link_header_len));
    w.set_total_len(static_cast<std::uint16_t>(header.size() + chunk));
    w.set_flags_and_fragment_offset(false, more, static_cast<std::uint16_t>((base + sent) / 8));
    w.fill_checksum();
    emit(out);
    sent += chunk;
  }
  return fragmentation::fragmented;
}

} // namespace etherbeam::protocols
