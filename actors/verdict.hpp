#pragma once
// What became of one frame: a reply, a hand-off to a stateful application, or
// the reason it was dropped. Every frame ends in exactly one verdict, and
// every verdict is a counter; the counter is named by whoever decided (the
// dispatcher for Ethernet, IPv4 and UDP, an application for the rest), so the
// frame path knows no application's reasons.
#include <cstddef>
#include <optional>
#include <string>

#include "actors/link_index.hpp"

#include "actors/named_counters.hpp"
#include "protocols/parse_result.hpp"

namespace etherbeam::actors {

struct verdict {
  enum class kind : std::uint8_t {
    reply,      // reply_len bytes written to the reply buffer
    malformed,  // the bytes were refused by a layer's parser
    ignored,    // well formed, not answered
    handed_off, // given to a stateful application's actor, which replies itself
    pass,       // from a stage before dispatch: not mine, go on
  };
  kind outcome = kind::ignored;
  std::size_t reply_len = 0;
  named_counter* tally = nullptr;          // reply, ignored, handed_off
  layer_counters* refusing_layer = nullptr; // malformed
  protocols::parse_error error{};
  // reply: the link it leaves on when not the one the frame came in on (a
  // router's forwarded packet, framed for the next hop and fitting its MTU).
  std::optional<link_index> out_link;

  static verdict replied(named_counter& c, std::size_t len) { return with(kind::reply, len, &c); }
  static verdict replied_on(link_index link, named_counter& c, std::size_t len) {
    auto v = with(kind::reply, len, &c);
    v.out_link = link;
    return v;
  }
  static verdict ignore(named_counter& c) { return with(kind::ignored, 0, &c); }
  static verdict handed_off(named_counter& c) { return with(kind::handed_off, 0, &c); }
  static verdict malformed(layer_counters& l, protocols::parse_error e) {
    auto v = with(kind::malformed, 0, nullptr);
    v.refusing_layer = &l;
    v.error = e;
    return v;
  }
  static verdict pass() { return with(kind::pass, 0, nullptr); }

  static verdict with(kind k, std::size_t len, named_counter* c) {
    verdict v;
    v.outcome = k;
    v.reply_len = len;
    v.tally = c;
    return v;
  }

  // Bumps the verdict's counter.
  void record() const;
  // The counter's name: "reply.arp_reply", "malformed.ipv4.bad_checksum".
  std::string name() const;
};

} // namespace etherbeam::actors
