#pragma once
// A link: one binder on one interface, the socket pair to it, and who
// etherbeam is there (addresses, MAC). etherbeam serves one or more; each has
// its own ingress and sender, counted apart, so that one binder's restart
// leaves the others serving.
#include <cstdint>
#include <string>

#include <caf/atom.hpp>

#include "actors/link_index.hpp"
#include "actors/named_counters.hpp"

namespace etherbeam::actors {

// The name the link's sender is registered under: "sender" for the first
// link, "sender1", "sender2"… for the others.
caf::atom_value sender_name(link_index link);

// What is counted per link, as link.NAME.frames_in and so on; the totals
// over all links keep their names (frames_in, replies_sent, …).
struct link_counters {
  link_counters(counter_registry& registry, const std::string& link_name);
  named_counter &frames_in, &replies_sent, &replies_dropped;
  link_index link = 0; // which link: what a tapped copy of a reply is recorded under
};

} // namespace etherbeam::actors
