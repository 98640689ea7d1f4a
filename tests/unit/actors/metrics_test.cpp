#include "actors/metrics.hpp"

#include <gtest/gtest.h>

using namespace etherbeam::actors;

namespace {

bool has_line(const std::string& text, const std::string& line) {
  return ("\n" + text).find("\n" + line + "\n") != std::string::npos;
}

TEST(Metrics, MapsDottedCountersToFamiliesWithLabels) {
  stack_counters c;
  c.frames_in += 7;
  ++c.named.add("reply.arp_reply");
  ++c.named.add("link.lan.frames_in");
  ++c.named.add("dhcp.in.discover");
  c.named.add_gauge("dhcp.subnet.10.77.0.0/24.assigned").value = 3;
  c.named.add_gauge("dhcp.subnet.10.77.0.0/24.total").value = 100;
  ++c.named.add_layer("ipv4").by_error[std::size_t(etherbeam::protocols::parse_error::bad_checksum)];
  auto text = prometheus_exposition(c);
  EXPECT_TRUE(has_line(text, "etherbeam_frames_in_total 7")) << text;
  EXPECT_TRUE(has_line(text, "etherbeam_replies_total{kind=\"arp_reply\"} 1"));
  EXPECT_TRUE(has_line(text, "etherbeam_link_frames_in_total{link=\"lan\"} 1"));
  EXPECT_TRUE(has_line(text, "etherbeam_dhcp4_packets_received_total{operation=\"discover\"} 1"));
  EXPECT_TRUE(has_line(text, "etherbeam_dhcp4_addresses_assigned{subnet=\"10.77.0.0/24\"} 3"));
  EXPECT_TRUE(has_line(text, "etherbeam_dhcp4_addresses{subnet=\"10.77.0.0/24\"} 100"));
  EXPECT_TRUE(has_line(text, "etherbeam_frames_malformed_total{layer=\"ipv4\",reason=\"bad_checksum\"} 1"));
  EXPECT_TRUE(has_line(text, "# TYPE etherbeam_dhcp4_addresses gauge"));
  EXPECT_TRUE(has_line(text, "# TYPE etherbeam_replies_total counter"));
}

TEST(Metrics, HistogramsAreCumulativeInSeconds) {
  stack_counters c;
  auto& h = c.named.add_histogram("journal.commit", {100, 1000});
  h.observe(50);
  h.observe(500);
  h.observe(5000);
  auto text = prometheus_exposition(c);
  EXPECT_TRUE(has_line(text, "# TYPE etherbeam_journal_commit_seconds histogram")) << text;
  EXPECT_TRUE(has_line(text, "etherbeam_journal_commit_seconds_bucket{le=\"0.0001\"} 1"));
  EXPECT_TRUE(has_line(text, "etherbeam_journal_commit_seconds_bucket{le=\"0.001\"} 2"));
  EXPECT_TRUE(has_line(text, "etherbeam_journal_commit_seconds_bucket{le=\"+Inf\"} 3"));
  EXPECT_TRUE(has_line(text, "etherbeam_journal_commit_seconds_sum 0.00555"));
  EXPECT_TRUE(has_line(text, "etherbeam_journal_commit_seconds_count 3"));
}

} // namespace
