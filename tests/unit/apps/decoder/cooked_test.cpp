// Captures of links other than Ethernet, as users bring them: `tcpdump -i any`
// (Linux cooked v2, and v1 with -y LINUX_SLL) and a tun device (raw IP).
// tests/data/capture_cooked.py made them in a namespace lab.
#include "apps/decoder/frame_decoder.hpp"

#include <gtest/gtest.h>

#include "apps/decoder/frame_views.hpp"
#include "tests/unit/apps/decoder/decoded_lab.hpp"

using namespace etherbeam::apps::decoder;
using namespace etherbeam::decoder_test;

TEST(cooked_captures, the_pcap_link_types_the_decoder_reads) {
  EXPECT_EQ(link_type_of_dlt(1), link_type::ethernet);
  EXPECT_EQ(link_type_of_dlt(113), link_type::linux_sll);
  EXPECT_EQ(link_type_of_dlt(276), link_type::linux_sll2);
  EXPECT_EQ(link_type_of_dlt(12), link_type::raw_ip);
  EXPECT_EQ(link_type_of_dlt(228), link_type::raw_ip);
  EXPECT_FALSE(link_type_of_dlt(0)); // BSD loopback
  EXPECT_FALSE(link_type_of_dlt(127)); // 802.11 radiotap
}

TEST(cooked_captures, a_ping_received_on_a_veth_in_a_v2_header) {
  auto d = decode_frame(lab_frame("lab_any_sll2.pcap", 4), link_type::linux_sll2);
  EXPECT_EQ(layer_names(d), "sll:ip:icmp:data");
  EXPECT_FALSE(d.malformed);
  EXPECT_EQ(field_of(d, "sll.etype").value, "0x0800");
  EXPECT_EQ(field_of(d, "sll.etype").offset, 0u);
  EXPECT_EQ(field_of(d, "sll.ifindex").value, "6434");
  EXPECT_EQ(field_of(d, "sll.pkttype").value, "0");
  EXPECT_EQ(field_of(d, "sll.pkttype").meaning, "Unicast to us");
  EXPECT_EQ(field_of(d, "sll.pkttype").offset, 10u);
  EXPECT_EQ(field_of(d, "sll.hatype").meaning, "Ethernet");
  EXPECT_EQ(field_of(d, "sll.src.eth").value, "36:79:52:3a:51:e9");
  EXPECT_EQ(field_of(d, "sll.src.eth").offset, 12u);
  EXPECT_EQ(field_of(d, "sll.unused").value, "00:00");
  EXPECT_EQ(field_of(d, "ip.src").value, "10.77.0.1");
  EXPECT_EQ(field_of(d, "ip.src").offset, 32u); // after the 20-byte header
  EXPECT_EQ(field_of(d, "ip.checksum").meaning, "correct");
  EXPECT_EQ(d.source, "10.77.0.1");
  EXPECT_EQ(d.protocol, "ICMP");
}

TEST(cooked_captures, an_arp_reply_sent_by_the_host_in_a_v1_header) {
  auto d = decode_frame(lab_frame("lab_any_sll.pcap", 1), link_type::linux_sll);
  EXPECT_EQ(layer_names(d), "sll:arp");
  EXPECT_EQ(field_of(d, "sll.pkttype").value, "4");
  EXPECT_EQ(field_of(d, "sll.pkttype").meaning, "Sent by us");
  EXPECT_EQ(field_of(d, "sll.pkttype").length, 2u);
  EXPECT_EQ(field_of(d, "sll.halen").value, "6");
  EXPECT_EQ(field_of(d, "sll.src.eth").value, "fa:d9:fe:df:4b:9a");
  EXPECT_EQ(field_of(d, "sll.etype").offset, 14u);
  EXPECT_EQ(field_of(d, "arp.opcode").value, "2");
  EXPECT_EQ(field_of(d, "arp.src.proto_ipv4").offset, 30u);
  EXPECT_EQ(d.source, "fa:d9:fe:df:4b:9a");
  EXPECT_EQ(d.info, "10.77.0.3 is at fa:d9:fe:df:4b:9a");
}

TEST(cooked_captures, a_frame_into_a_tun_has_no_link_address) {
  auto d = decode_frame(lab_frame("lab_any_sll2.pcap", 22), link_type::linux_sll2); // the UDP datagram
  EXPECT_EQ(layer_names(d), "sll:ip:udp:data");
  EXPECT_EQ(field_of(d, "sll.hatype").value, "65534");
  EXPECT_EQ(field_of(d, "sll.halen").value, "0");
  EXPECT_THROW(field_of(d, "sll.src.eth"), std::out_of_range);
  const auto& unused = field_of(d, "sll.unused"); // the kernel leaves whatever was there
  EXPECT_EQ(unused.offset, 12u);
  EXPECT_EQ(unused.length, 8u);
  EXPECT_EQ(field_of(d, "udp.dstport").value, "9");
}

TEST(cooked_captures, raw_ip_from_a_tun_starts_with_the_ip_header) {
  auto bytes = lab_frame("lab_tun_raw.pcap", 0);
  auto d = decode_frame(bytes, link_type::raw_ip);
  EXPECT_EQ(layer_names(d), "raw:ip:icmp:data");
  EXPECT_FALSE(d.malformed);
  EXPECT_EQ(field_of(d, "ip.version").offset, 0u);
  EXPECT_EQ(field_of(d, "ip.dst").value, "10.98.0.2");
  EXPECT_EQ(field_of(d, "icmp.type").value, "8");
  view_options tree{};
  tree.verbose = true;
  auto text = text_view(1, 0, d, bytes, tree);
  EXPECT_NE(text.find("Raw packet data  [raw]\n"), std::string::npos) << text;
}

TEST(cooked_captures, a_short_or_unknown_header_is_named_as_the_fault) {
  auto bytes = lab_frame("lab_any_sll2.pcap", 4);
  auto cut = decode_frame(std::vector<std::uint8_t>(bytes.begin(), bytes.begin() + 19), link_type::linux_sll2);
  ASSERT_TRUE(cut.malformed);
  EXPECT_EQ(cut.malformed->layer, "sll");
  EXPECT_EQ(cut.malformed->why, "a Linux cooked capture v2 header is 20 bytes; the frame has 19");
  auto raw = lab_frame("lab_tun_raw.pcap", 0);
  raw[0] = 0x55; // version 5
  auto odd = decode_frame(raw, link_type::raw_ip);
  ASSERT_TRUE(odd.malformed);
  EXPECT_EQ(odd.malformed->why, "a raw IP packet starts with version 4 or 6; this one says 5");
  EXPECT_TRUE(decode_frame({}, link_type::raw_ip).malformed);
}
