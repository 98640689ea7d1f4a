#include "apps/firewall/tcp_window.hpp"

#include <algorithm>

#include "protocols/tcp.hpp"

namespace etherbeam::apps::firewall {

namespace {

// Sequence numbers wrap: a is after b when a - b, as a signed 32-bit number, is positive.
bool after(std::uint32_t a, std::uint32_t b) { return static_cast<std::int32_t>(a - b) > 0; }

// Linux's window when none has been offered yet: a reset is judged against that much.
constexpr std::uint32_t unknown_window = 65535;

} // namespace

void tcp_window::track(int from, const packet_facts& f) {
  auto& s = side[from];
  auto& r = side[1 - from];
  bool syn = f.tcp_flags & protocols::tcp_field::syn;
  std::uint32_t end = f.tcp_seq + f.tcp_segment_length;
  if (syn) {
    s.scale_offered = f.tcp_window_scale;
    if (from == 1) { // the SYN-ACK: scaling holds only if both offered it (RFC 7323 §2.2)
      bool both = s.scale_offered >= 0 && r.scale_offered >= 0;
      s.scale = both ? static_cast<std::uint8_t>(s.scale_offered) : 0;
      r.scale = both ? static_cast<std::uint8_t>(r.scale_offered) : 0;
    }
  }
  if (!s.seen || after(end, s.end)) s.end = end;
  if (!s.seen || after(s.end, s.max_end)) s.max_end = s.end;
  s.seen = true;
  std::uint32_t window = std::uint32_t(f.tcp_window) << (syn ? 0 : s.scale); // a SYN's window is never scaled
  s.max_window = std::max(s.max_window, window);
  if (f.tcp_flags & protocols::tcp_field::ack) {
    std::uint32_t r_may_send_to = f.tcp_ack + std::max<std::uint32_t>(window, 1);
    if (!r.seen || after(r_may_send_to, r.max_end)) r.max_end = r_may_send_to;
  }
}

bool tcp_window::reset_acceptable(int from, const packet_facts& f) const {
  const auto& s = side[from];
  const auto& r = side[1 - from];
  if (!s.seen) { // it has sent nothing yet: only an answer to the other side's SYN
    if (!r.seen) return true;
    return (f.tcp_flags & protocols::tcp_field::ack) && f.tcp_ack == r.end;
  }
  std::uint32_t window = r.max_window ? r.max_window : unknown_window;
  std::uint32_t lowest = s.end - window - 1, highest = std::max(s.max_end, s.end, [](auto a, auto b) { return after(b, a); });
  return !after(lowest, f.tcp_seq) && !after(f.tcp_seq, highest);
}

} // namespace etherbeam::apps::firewall
