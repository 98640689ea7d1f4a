// Resets judged by the sequence space the lab's TCP connection used
// (lab_tcp_super_frames.pcap: 10.77.0.1 sends 24,000 bytes to 10.77.0.3:5001).
#include "apps/firewall/tcp_window.hpp"

#include <gtest/gtest.h>

#include "apps/firewall/flow_table.hpp"
#include "tests/unit/apps/firewall/lab_packets.hpp"

using namespace etherbeam::apps::firewall;
using namespace etherbeam::firewall_test;
using namespace std::chrono_literals;

namespace {

// `p` with other TCP flags and its sequence number moved by `seq_by`, checksums made whole again.
packet rewritten(packet p, std::uint8_t flags, std::uint32_t seq_by = 0, std::uint32_t ack_by = 0) {
  p.resize(40); // a reset carries no data
  etherbeam::protocols::write_be16(p, 2, 40);
  p[20 + 12] = 0x50;
  p[20 + 13] = flags;
  etherbeam::protocols::write_be32(p, 24, etherbeam::protocols::read_be32(p, 24) + seq_by);
  etherbeam::protocols::write_be32(p, 28, etherbeam::protocols::read_be32(p, 28) + ack_by);
  make_whole(p);
  return p;
}

struct connection {
  flow_entry e;
  flow_timeouts timeouts;
  clock::time_point now = clock::time_point{} + 1h;
  connection_state see(const packet& p) {
    auto f = facts_of(p);
    auto dir = f.flow == e.original ? direction::original : direction::reply;
    return advance_flow(e, dir, f, p.size(), now, timeouts);
  }
};

constexpr std::uint8_t rst = 0x04, rst_ack = 0x14;

} // namespace

TEST(tcp_window, reads_a_syns_numbers_and_window_scale) {
  auto packets = lab_packets("lab_tcp_super_frames.pcap");
  auto syn = facts_of(packets[0]);
  EXPECT_EQ(syn.tcp_window_scale, 10); // WS=1024, as tshark shows it
  EXPECT_EQ(syn.tcp_segment_length, 1u); // the SYN itself
  EXPECT_EQ(syn.tcp_window, 64240);
  auto data = facts_of(packets[3]);
  EXPECT_EQ(data.tcp_window_scale, -1);
  EXPECT_EQ(data.tcp_segment_length, 7240u);
  EXPECT_EQ(data.tcp_seq, syn.tcp_seq + 1);
}

TEST(tcp_window, a_reset_from_either_end_closes_the_flow_and_a_guessed_one_is_invalid) {
  auto packets = lab_packets("lab_tcp_super_frames.pcap");
  for (bool from_server : {false, true}) {
    connection c;
    c.e.original = facts_of(packets[0]).flow;
    c.e.reply = c.e.original.reversed();
    for (std::size_t i = 0; i < 6; ++i) ASSERT_NE(c.see(packets[i]), connection_state::invalid) << i;
    ASSERT_EQ(c.e.tcp, tcp_state::established);
    // From the server: its next sequence number (packets[4] is its ACK); from the client:
    // the end of what it has sent (packets[5] is its second super-frame).
    auto base = from_server ? packets[4] : packets[5];
    auto end_by = from_server ? 0u : facts_of(packets[5]).tcp_segment_length;
    // A third party knowing the ports but not the numbers: a reset a billion off is refused.
    EXPECT_EQ(c.see(rewritten(base, rst, end_by + 1'000'000'000)), connection_state::invalid);
    EXPECT_EQ(c.see(rewritten(base, rst, end_by - 3'000'000'000u)), connection_state::invalid);
    EXPECT_EQ(c.e.tcp, tcp_state::established);
    // Within the window the receiver offered: taken, the flow closes.
    EXPECT_EQ(c.see(rewritten(base, rst_ack, end_by + 1000)), connection_state::established);
    EXPECT_EQ(c.e.tcp, tcp_state::close);
  }
}

TEST(tcp_window, a_reset_answering_a_syn_must_acknowledge_it) {
  auto packets = lab_packets("lab_tcp_super_frames.pcap");
  connection c;
  c.e.original = facts_of(packets[0]).flow;
  c.e.reply = c.e.original.reversed();
  ASSERT_EQ(c.see(packets[0]), connection_state::new_flow);
  // The SYN-ACK turned into a refusal (a closed port's RST+ACK), acknowledging another number.
  EXPECT_EQ(c.see(rewritten(packets[1], rst_ack, 0, 5)), connection_state::invalid);
  EXPECT_EQ(c.e.tcp, tcp_state::syn_sent);
  EXPECT_EQ(c.see(rewritten(packets[1], rst_ack)), connection_state::established); // an answer
  EXPECT_EQ(c.e.tcp, tcp_state::close);
}
