#include "protocols/ipv4_reassembly.hpp"

#include <algorithm>
#include <iterator>

namespace etherbeam::protocols {

namespace {

constexpr std::size_t max_datagram_len = 65535;
// What a held fragment costs beyond its bytes (map node, vector): counted so
// that a flood of tiny fragments meets the byte cap too.
constexpr std::size_t per_piece_overhead = 64;

} // namespace

ipv4_reassembly::table::iterator ipv4_reassembly::discard(table::iterator it) {
  bytes_ -= it->second.bytes;
  return held_.erase(it);
}

ipv4_reassembly::outcome ipv4_reassembly::add(byte_view link_header, const ipv4_packet& fragment,
                                              clock::time_point now) {
  auto payload = fragment.payload();
  std::size_t begin = std::size_t(fragment.fragment_offset()) * 8;
  std::size_t end = begin + payload.size();
  bool last = !fragment.more_fragments();
  key k{fragment.source().value, fragment.destination().value, fragment.identification(), fragment.protocol()};
  auto it = held_.find(k);
  auto drop = [&](outcome why) {
    if (it != held_.end()) discard(it);
    return why;
  };
  if (fragment.header_len() + end > max_datagram_len) return drop(outcome::too_large);
  if (!last && (payload.empty() || payload.size() % 8 != 0)) return drop(outcome::bad_fragment);

  if (it == held_.end()) {
    if (held_.size() >= limits_.max_datagrams) return outcome::over_limit;
    it = held_.emplace(k, datagram{now, {}, {}, {}, 0, 0}).first;
  }
  auto& d = it->second;
  if (d.end && (end > *d.end || (last && end != *d.end))) return drop(outcome::too_large);
  if (last) {
    auto beyond = d.pieces.empty() ? 0 : std::prev(d.pieces.end())->first + std::prev(d.pieces.end())->second.size();
    if (beyond > end) return drop(outcome::too_large);
  }

  // The held piece starting at or before `begin`, and the one after it, are
  // the only ones this one can overlap.
  auto next = d.pieces.lower_bound(begin);
  if (next != d.pieces.end() && next->first == begin && next->second.size() == payload.size())
    return outcome::duplicate;
  if (next != d.pieces.end() && next->first < end) return drop(outcome::overlap);
  if (next != d.pieces.begin()) {
    auto before = std::prev(next);
    if (before->first + before->second.size() > begin) return drop(outcome::overlap);
  }

  std::size_t cost = payload.size() + per_piece_overhead + (begin == 0 ? link_header.size() + fragment.header_len() : 0);
  if (bytes_ + cost > limits_.max_bytes) return drop(outcome::over_limit);
  d.pieces.emplace(begin, std::vector<std::uint8_t>(payload.begin(), payload.end()));
  if (begin == 0) {
    d.link_header_len = link_header.size();
    d.first_frame.assign(link_header.begin(), link_header.end());
    d.first_frame.insert(d.first_frame.end(), fragment.header().begin(), fragment.header().end());
    d.first_frame.insert(d.first_frame.end(), payload.begin(), payload.end());
  }
  if (last) d.end = end;
  d.bytes += cost;
  bytes_ += cost;
  if (!whole(d)) return outcome::held;
  assemble(d);
  discard(it);
  return outcome::completed;
}

bool ipv4_reassembly::whole(const datagram& d) const {
  if (!d.end || d.first_frame.empty()) return false;
  std::size_t reached = 0;
  for (const auto& [offset, bytes] : d.pieces) {
    if (offset != reached) return false;
    reached += bytes.size();
  }
  return reached == *d.end;
}

void ipv4_reassembly::assemble(const datagram& d) {
  // The first fragment's frame up to its IP payload: link header, IP header.
  std::size_t header_end = d.first_frame.size() - d.pieces.begin()->second.size();
  whole_.assign(d.first_frame.begin(), d.first_frame.begin() + static_cast<std::ptrdiff_t>(header_end));
  whole_.reserve(header_end + *d.end);
  for (const auto& piece : d.pieces) whole_.insert(whole_.end(), piece.second.begin(), piece.second.end());
  auto ip = ipv4_packet_writer::new_unchecked(std::span(whole_).subspan(d.link_header_len));
  ip.set_total_len(static_cast<std::uint16_t>(whole_.size() - d.link_header_len));
  ip.set_flags_and_fragment_offset(ip.dont_fragment(), false, 0);
  ip.fill_checksum();
}

} // namespace etherbeam::protocols
