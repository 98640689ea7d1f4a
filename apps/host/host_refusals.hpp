#pragma once
// What a host answers for traffic to one of its addresses that nothing here
// serves, as the Linux kernel does: a TCP reset for a segment to a port
// nobody listens on (RFC 9293 §3.10.7.1), ICMP port unreachable for UDP
// (RFC 1122 §3.2.2.1), ICMP protocol unreachable for an IP protocol nobody
// handles. So `curl` to etherbeam says "connection refused" at once, and a
// scan sees closed ports rather than a silent host. Pure deciders.
#include <vector>

#include "actors/named_counters.hpp"
#include "actors/registration.hpp"
#include "apps/host/host_responders.hpp"

namespace etherbeam::apps::host {

std::vector<actors::registration> refusal_registrations(actors::counter_registry& counters,
                                                        const host_settings& settings);

} // namespace etherbeam::apps::host
