#include "actors/fragment_reassembly.hpp"

#include <vector>

#include "protocols/ethernet.hpp"
#include "protocols/frame_repr.hpp"

namespace etherbeam::actors {

using namespace protocols;

namespace {

// Cheaper than parsing: most frames are not IPv4 fragments, and this runs on
// every frame before dispatch.
bool may_be_ipv4_fragment(byte_view frame) {
  constexpr std::size_t ethertype_at = 12, untagged_flags_at = 14 + ipv4_field::flags_fragment;
  if (frame.size() < untagged_flags_at + 2) return false;
  auto type = read_be16(frame, ethertype_at);
  if (type == ethertype::vlan || type == ethertype::qinq) return true; // tagged: parse to see
  return type == ethertype::ipv4 &&
         (read_be16(frame, untagged_flags_at) & (ipv4_field::more_fragments | ipv4_field::fragment_offset));
}

bool for_us(const ethernet_repr& eth, const ipv4_address destination, const stack_identity& me) {
  if (!me.mac || (eth.destination != *me.mac && !eth.destination.is_broadcast())) return false;
  return me.delivers_to(destination) || me.broadcast_owner(destination).has_value();
}

} // namespace

reassembly_counters::reassembly_counters(counter_registry& c)
    : fragments(c.add("fragments.received")), reassembled(c.add("fragments.reassembled")),
      duplicates(c.add("fragments.duplicate")), overlaps(c.add("fragments.overlap_dropped")),
      too_large(c.add("fragments.too_large_dropped")), bad_length(c.add("fragments.bad_length_dropped")),
      over_limit(c.add("fragments.over_limit_dropped")), timed_out(c.add("fragments.timed_out")),
      time_exceeded_sent(c.add("reply.icmp_reassembly_time_exceeded")) {}

fragment_reassembly::result fragment_reassembly::take(byte_view frame, const stack_identity& me,
                                                      clock::time_point now) {
  if (!may_be_ipv4_fragment(frame)) return result::not_a_fragment;
  auto checked = ethernet_frame::check(frame);
  if (!checked || checked->ethertype() != ethertype::ipv4) return result::not_a_fragment;
  auto ip = ipv4_packet::check(checked->payload());
  // A bad header is the dispatcher's to count as malformed.
  if (!ip || !ip->is_fragment() || !ip->checksum_valid()) return result::not_a_fragment;
  if (!for_us(ethernet_repr::parse(*checked), ip->destination(), me)) return result::not_a_fragment;
  ++c_.fragments;
  auto link_header = frame.first(frame.size() - checked->payload().size());
  switch (table_.add(link_header, *ip, now)) {
    case ipv4_reassembly::outcome::held: return result::taken;
    case ipv4_reassembly::outcome::completed: ++c_.reassembled; return result::whole;
    case ipv4_reassembly::outcome::duplicate: ++c_.duplicates; break;
    case ipv4_reassembly::outcome::overlap: ++c_.overlaps; break;
    case ipv4_reassembly::outcome::too_large: ++c_.too_large; break;
    case ipv4_reassembly::outcome::bad_fragment: ++c_.bad_length; break;
    case ipv4_reassembly::outcome::over_limit: ++c_.over_limit; break;
  }
  return result::taken;
}

void fragment_reassembly::expire(clock::time_point now, const stack_identity& me,
                                 const std::function<void(byte_view)>& send) {
  if (table_.datagrams() == 0) return;
  std::vector<std::uint8_t> reply;
  c_.timed_out += table_.expire(now, [&](byte_view first) {
    auto checked = ethernet_frame::check(first);
    if (!checked || !me.mac) return;
    auto packet = ipv4_packet::check(checked->payload());
    if (!packet) return;
    auto ip = ipv4_repr::parse(*packet);
    auto eth = ethernet_repr::parse(*checked);
    // Never about a datagram sent to a broadcast (RFC 1122 §3.2.2).
    if (!ip || !me.delivers_to(ip->destination) || eth.destination.is_group()) return;
    auto link = answering(eth, *me.mac);
    reply.resize(link.header_len() + 576); // an ICMP error is at most 576 bytes
    if (auto len = emit_icmp_error(link, ip->destination, *packet, icmpv4_type::time_exceeded,
                                   icmpv4_time_exceeded::reassembly, 0, reply)) {
      ++c_.time_exceeded_sent;
      send(byte_view(reply).first(len));
    }
  });
}

} // namespace etherbeam::actors
