#include "protocols/icmpv4.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "protocols/checksum.hpp"
#include "tests/unit/frame_bytes.hpp"

using namespace etherbeam::protocols;
using namespace etherbeam::test_frames;

namespace {
std::span<const std::uint8_t> icmp_of(std::span<const std::uint8_t> frame) {
  return frame.subspan(icmp_at);
}
} // namespace

TEST(icmpv4, parses_a_captured_echo_request) {
  auto p = icmpv4_packet::check(icmp_of(echo_request));
  ASSERT_TRUE(p);
  auto echo = icmpv4_echo_repr::parse(*p);
  ASSERT_TRUE(echo);
  EXPECT_TRUE(echo->is_request);
  EXPECT_EQ(echo->identifier, 4427);
  EXPECT_EQ(echo->sequence, 1);
  EXPECT_EQ(echo->data.size(), 56u);
}

TEST(icmpv4, emits_the_echo_reply_the_kernel_sent) {
  auto request = *icmpv4_echo_repr::parse(*icmpv4_packet::check(icmp_of(kernel_echo_request)));
  icmpv4_echo_repr reply{false, request.identifier, request.sequence, request.data};
  std::vector<std::uint8_t> out(reply.buffer_len());
  reply.emit(out);
  EXPECT_EQ(out, std::vector<std::uint8_t>(kernel_echo_reply + icmp_at,
                                           kernel_echo_reply + sizeof kernel_echo_reply));
}

TEST(icmpv4, refuses_a_bad_checksum) {
  auto bytes = copy_of(echo_request);
  bytes.back() ^= 0xff; // payload corrupted in flight
  EXPECT_EQ(icmpv4_echo_repr::parse(*icmpv4_packet::check(icmp_of(bytes))).error(),
            parse_error::bad_checksum);
}

TEST(icmpv4, refuses_truncated_headers_and_non_echo_types) {
  std::span<const std::uint8_t> cut{echo_request + icmp_at, 7};
  EXPECT_EQ(icmpv4_packet::check(cut).error(), parse_error::truncated);
  auto bytes = copy_of(echo_request);
  bytes[icmp_at] = icmpv4_type::destination_unreachable;
  bytes[icmp_at + 2] = 0; bytes[icmp_at + 3] = 0;
  auto sum = checksum_of(std::span<const std::uint8_t>(bytes).subspan(icmp_at));
  bytes[icmp_at + 2] = static_cast<std::uint8_t>(sum >> 8);
  bytes[icmp_at + 3] = static_cast<std::uint8_t>(sum);
  auto p = icmpv4_packet::check(icmp_of(bytes));
  ASSERT_TRUE(p);
  EXPECT_TRUE(p->checksum_valid());
  EXPECT_EQ(icmpv4_echo_repr::parse(*p).error(), parse_error::bad_operation);
}

TEST(icmpv4, an_echo_with_a_code_other_than_0_is_answered_with_it_as_linux_does) {
  // nmap's OS detection sends echo requests with code 9; Linux's reply keeps it.
  auto bytes = copy_of(echo_request);
  bytes[icmp_at + 1] = 9;
  bytes[icmp_at + 2] = 0; bytes[icmp_at + 3] = 0;
  auto sum = checksum_of(std::span<const std::uint8_t>(bytes).subspan(icmp_at));
  bytes[icmp_at + 2] = static_cast<std::uint8_t>(sum >> 8);
  bytes[icmp_at + 3] = static_cast<std::uint8_t>(sum);
  auto echo = icmpv4_echo_repr::parse(*icmpv4_packet::check(icmp_of(bytes)));
  ASSERT_TRUE(echo);
  EXPECT_EQ(echo->code, 9);
  icmpv4_echo_repr reply{false, echo->identifier, echo->sequence, echo->data, echo->code};
  std::vector<std::uint8_t> out(reply.buffer_len());
  reply.emit(out);
  auto p = icmpv4_packet::check(out);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->type(), icmpv4_type::echo_reply);
  EXPECT_EQ(p->code(), 9);
  EXPECT_TRUE(p->checksum_valid());
}
