#pragma once
// The host application: what any IPv4 host does for the addresses it owns.
// Answers ARP requests for them (RFC 826) and ICMP echo requests to them
// (RFC 792), and refuses what nothing here serves as the Linux kernel would
// (host_refusals.hpp). Decided in the frame's actor; the only state is the
// ICMP errors' rate limit and the address conflicts seen.
#include <functional>
#include <string>
#include <vector>


#include "actors/named_counters.hpp"
#include "actors/registration.hpp"

namespace etherbeam::apps::host {

struct host_settings {
  // ICMP port unreachable for UDP to a port nothing serves ([apps.host]
  // port_unreachable = false turns it off).
  bool port_unreachable = true;
  // A TCP reset for a segment to a port nothing serves (tcp_reset = false).
  bool tcp_reset = true;
  // ICMP protocol unreachable for an IP protocol nothing handles
  // (protocol_unreachable = false).
  bool protocol_unreachable = true;
  // Linux's net.ipv4.icmp_msgs_per_sec and icmp_msgs_burst: a token bucket
  // over every ICMP error sent.
  double errors_per_second = 1000;
  double error_burst = 50;
  // Where an address conflict is reported (logged by the runtime; none in tests).
  std::function<void(const std::string&)> warn;
};

// The registrations: ARP by ethertype, ICMP by IP protocol, and the refusals
// for UDP and TCP ports and IP protocols no other application serves.
std::vector<actors::registration> host_registrations(actors::counter_registry& counters,
                                                     const host_settings& settings = {});

} // namespace etherbeam::apps::host
