#pragma once
// The counters in the Prometheus text exposition format (0.0.4), for
// `etherbeam metrics` and node_exporter's textfile collector. Each dotted
// counter name maps to a metric family and labels: "reply.arp_reply" is
// etherbeam_replies_total{kind="arp_reply"}, "malformed.ipv4.bad_checksum"
// etherbeam_frames_malformed_total{layer="ipv4",reason="bad_checksum"}; DHCP
// names follow kea-exporter's (etherbeam_dhcp4_packets_received_total{
// operation="discover"}; per-subnet gauges as kea-exporter's, without the
// "_total" that Prometheus keeps for counters). Pure.
#include <string>

#include "actors/stack_counters.hpp"

namespace etherbeam::actors {

std::string prometheus_exposition(const stack_counters& counters);

} // namespace etherbeam::actors
