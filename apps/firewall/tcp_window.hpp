#pragma once
// The sequence space each side of a tracked TCP connection has used and been
// offered, as Linux's conntrack keeps it (tcp_in_window in
// nf_conntrack_proto_tcp.c), so that a reset guessed by a third party who
// knows only the addresses and ports (a blind RST, RFC 5961) is told from one
// the connection's own ends send. Only resets are judged by it: data and ACKs
// pass whatever their numbers, as with nf_conntrack_tcp_be_liberal. Pure.
#include <cstdint>

#include "apps/firewall/packet_facts.hpp"

namespace etherbeam::apps::firewall {

struct tcp_side {
  std::uint32_t end = 0;        // the highest sequence number it has sent, plus one (td_end)
  std::uint32_t max_end = 0;    // how far the other side's ACKs and window let it send (td_maxend)
  std::uint32_t max_window = 0; // the largest window it has offered, scaled (td_maxwin)
  std::int8_t scale_offered = -1; // its SYN's window scale option (RFC 7323), -1 for none
  std::uint8_t scale = 0;       // the scale in force: both SYNs offered one, else 0
  bool seen = false;
};

struct tcp_window {
  tcp_side side[2]; // by direction: original, reply

  // A packet from `from` (0 original, 1 reply) that the state machine took.
  void track(int from, const packet_facts& facts);
  // Whether a reset from `from` belongs to the connection: its sequence number
  // lies within what the receiver would take (RFC 9293 §3.10.7.4); while only
  // the SYN has been seen, a reset answering it acknowledges the SYN
  // (§3.10.7.3).
  bool reset_acceptable(int from, const packet_facts& facts) const;
};

} // namespace etherbeam::apps::firewall
