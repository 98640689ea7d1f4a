#include "protocols/ipv4.hpp"

#include <gtest/gtest.h>

#include <array>
#include <vector>

#include "tests/unit/frame_bytes.hpp"

using namespace etherbeam::protocols;
using namespace etherbeam::test_frames;

namespace {
std::span<const std::uint8_t> ip_of(std::span<const std::uint8_t> frame) { return frame.subspan(ip_at); }
} // namespace

TEST(ipv4, parses_a_captured_echo_request_header) {
  auto p = ipv4_packet::check(ip_of(echo_request));
  ASSERT_TRUE(p);
  auto r = ipv4_repr::parse(*p);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->source.to_string(), "10.77.0.1");
  EXPECT_EQ(r->destination.to_string(), "10.77.0.2");
  EXPECT_EQ(r->protocol, ip_protocol::icmp);
  EXPECT_EQ(r->ttl, 64);
  EXPECT_TRUE(r->dont_fragment);
  EXPECT_EQ(r->payload_len, 64);
  EXPECT_FALSE(p->is_fragment());
}

TEST(ipv4, skips_options_to_find_the_payload) {
  auto p = ipv4_packet::check(ip_of(echo_request_record_route));
  ASSERT_TRUE(p);
  EXPECT_EQ(p->header_len(), 60u); // ping -R: record-route option fills the header
  EXPECT_EQ(p->options()[0], 1);   // NOP, so that the route data is 4-byte aligned
  EXPECT_EQ(p->options()[1], 7);   // RFC 791 option type 7, record route
  EXPECT_EQ(p->payload().size(), 64u);
  EXPECT_TRUE(ipv4_repr::parse(*p));
}

TEST(ipv4, reports_both_ends_of_a_fragmented_echo) {
  auto first = ipv4_packet::check(ip_of(fragment_first));
  auto last = ipv4_packet::check(ip_of(fragment_last));
  ASSERT_TRUE(first);
  ASSERT_TRUE(last);
  EXPECT_TRUE(first->more_fragments());
  EXPECT_EQ(first->fragment_offset(), 0);
  EXPECT_FALSE(last->more_fragments());
  EXPECT_EQ(last->fragment_offset(), 1480 / 8);
  EXPECT_TRUE(first->is_fragment());
  EXPECT_TRUE(last->is_fragment());
}

TEST(ipv4, refuses_a_header_with_a_bad_checksum) {
  auto bytes = copy_of(echo_request);
  bytes[ip_at + 8] = 63; // ttl changed, checksum not updated
  auto p = ipv4_packet::check(ip_of(bytes));
  ASSERT_TRUE(p);
  EXPECT_EQ(ipv4_repr::parse(*p).error(), parse_error::bad_checksum);
}

TEST(ipv4, refuses_lying_lengths_and_versions) {
  auto bytes = copy_of(echo_request);
  bytes[ip_at + 2] = 0x01; // total length 340 > the 84 bytes present
  EXPECT_EQ(ipv4_packet::check(ip_of(bytes)).error(), parse_error::truncated);
  bytes = copy_of(echo_request);
  bytes[ip_at + 3] = 10; bytes[ip_at + 2] = 0; // total length 10 < header
  EXPECT_EQ(ipv4_packet::check(ip_of(bytes)).error(), parse_error::bad_length);
  bytes = copy_of(echo_request);
  bytes[ip_at] = 0x44; // IHL 4: shorter than the fixed header
  EXPECT_EQ(ipv4_packet::check(ip_of(bytes)).error(), parse_error::bad_length);
  bytes = copy_of(echo_request);
  bytes[ip_at] = 0x4f; // IHL 15: 60 bytes claimed, 84 present but options are garbage
  EXPECT_TRUE(ipv4_packet::check(ip_of(bytes)));
  bytes = copy_of(echo_request);
  bytes[ip_at] = 0x65; // version 6
  EXPECT_EQ(ipv4_packet::check(ip_of(bytes)).error(), parse_error::unsupported_version);
  std::span<const std::uint8_t> cut{echo_request + ip_at, 19};
  EXPECT_EQ(ipv4_packet::check(cut).error(), parse_error::truncated);
}

TEST(ipv4, ignores_ethernet_padding_after_total_length) {
  auto bytes = copy_of(echo_request);
  bytes.insert(bytes.end(), 6, 0x00);
  auto p = ipv4_packet::check(ip_of(bytes));
  ASSERT_TRUE(p);
  EXPECT_EQ(p->payload().size(), 64u);
}

TEST(ipv4, emits_a_header_that_verifies) {
  auto r = *ipv4_repr::parse(*ipv4_packet::check(ip_of(kernel_echo_reply)));
  std::vector<std::uint8_t> out(ipv4_repr::header_len());
  r.emit(out);
  // Field for field the kernel's own reply header, checksum included.
  EXPECT_EQ(out, std::vector<std::uint8_t>(kernel_echo_reply + ip_at, kernel_echo_reply + ip_at + 20));
}

// The setters write where the getters read: each offset is named once.
TEST(ipv4_packet_writer, writes_what_the_view_reads_back_with_a_valid_checksum) {
  std::array<std::uint8_t, 20> header{};
  auto w = ipv4_packet_writer::new_unchecked(header);
  w.set_version_and_header_len(20);
  w.set_type_of_service(0x10);
  w.set_total_len(20);
  w.set_identification(0xbeef);
  w.set_flags_and_fragment_offset(true, false, 0);
  w.set_ttl(63);
  w.set_protocol(ip_protocol::udp);
  w.set_source(*ipv4_address::from_string("10.77.0.1"));
  w.set_destination(*ipv4_address::from_string("10.77.0.2"));
  w.fill_checksum();
  auto p = ipv4_packet::check(header);
  ASSERT_TRUE(p);
  EXPECT_TRUE(p->checksum_valid());
  EXPECT_EQ(p->type_of_service(), 0x10);
  EXPECT_EQ(p->identification(), 0xbeef);
  EXPECT_TRUE(p->dont_fragment());
  EXPECT_FALSE(p->is_fragment());
  EXPECT_EQ(p->ttl(), 63);
  EXPECT_EQ(p->protocol(), ip_protocol::udp);
  EXPECT_EQ(p->source().to_string(), "10.77.0.1");
  EXPECT_EQ(p->destination().to_string(), "10.77.0.2");
}
