#pragma once
// What became of one frame: a reply, a hand-off to a stateful application, or
// the reason it was dropped. Every frame ends in exactly one verdict, and
// every verdict is a counter; the counter is named by whoever decided (the
// dispatcher for Ethernet, IPv4 and UDP, an application for the rest), so the
// frame path knows no application's reasons.
#include <cstddef>
#include <string>

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

  static verdict replied(named_counter& c, std::size_t len) { return {kind::reply, len, &c}; }
  static verdict ignore(named_counter& c) { return {kind::ignored, 0, &c}; }
  static verdict handed_off(named_counter& c) { return {kind::handed_off, 0, &c}; }
  static verdict malformed(layer_counters& l, protocols::parse_error e) {
    return {kind::malformed, 0, nullptr, &l, e};
  }
  static verdict pass() { return {kind::pass}; }

  // Bumps the verdict's counter.
  void record() const;
  // The counter's name: "reply.arp_reply", "malformed.ipv4.bad_checksum".
  std::string name() const;
};

} // namespace etherbeam::actors
