#pragma once
// The host application: what any IPv4 host does for the addresses it owns.
// Answers ARP requests for them (RFC 826) and ICMP echo requests to them
// (RFC 792), as the Linux kernel would. Stateless: decided in the frame's
// actor.
#include <vector>

#include "actors/named_counters.hpp"
#include "actors/registration.hpp"

namespace etherbeam::apps::host {

// The registrations: ARP by ethertype, ICMP by IP protocol.
std::vector<actors::registration> host_registrations(actors::counter_registry& counters);

} // namespace etherbeam::apps::host
