#include "apps/decoder/frame_decoder.hpp"

#include <gtest/gtest.h>

#include "tests/unit/apps/decoder/decoded_lab.hpp"

using namespace etherbeam::apps::decoder;
using namespace etherbeam::decoder_test;

TEST(decoder, a_ping_request_field_by_field_with_offsets) {
  auto bytes = lab_frame("lab_ping_arp_udp.pcap", 0); // ping 10.77.0.1 -> 10.77.0.2
  auto d = decode_frame(bytes);
  EXPECT_EQ(layer_names(d), "eth:ip:icmp:data");
  EXPECT_FALSE(d.malformed);
  const auto& dst = field_of(d, "eth.dst");
  EXPECT_EQ(dst.value, "ce:89:d7:ed:bc:38");
  EXPECT_EQ(dst.offset, 0u);
  EXPECT_EQ(dst.length, 6u);
  EXPECT_EQ(field_of(d, "eth.type").value, "0x0800");
  EXPECT_EQ(field_of(d, "eth.type").meaning, "IPv4");
  const auto& ttl = field_of(d, "ip.ttl");
  EXPECT_EQ(ttl.value, "64");
  EXPECT_EQ(ttl.offset, 22u);
  EXPECT_EQ(ttl.length, 1u);
  EXPECT_EQ(field_of(d, "ip.flags").value, "0x02");
  EXPECT_EQ(field_of(d, "ip.flags").meaning, "Don't fragment");
  EXPECT_EQ(field_of(d, "ip.flags.df").value, "1");
  EXPECT_EQ(field_of(d, "ip.id").value, "0x0df5");
  EXPECT_EQ(field_of(d, "ip.checksum").value, "0x1818");
  EXPECT_EQ(field_of(d, "ip.checksum").meaning, "correct");
  EXPECT_EQ(field_of(d, "ip.checksum.status").value, "1");
  EXPECT_EQ(field_of(d, "ip.src").value, "10.77.0.1");
  EXPECT_EQ(field_of(d, "icmp.type").meaning, "Echo (ping) request");
  EXPECT_EQ(field_of(d, "icmp.ident").value, "4427");
  EXPECT_EQ(field_of(d, "icmp.checksum.status").value, "1");
  EXPECT_EQ(d.protocol, "ICMP");
  EXPECT_EQ(d.info, "Echo (ping) request  id=0x114b, seq=1");
}

TEST(decoder, arp_request_and_reply) {
  auto request = decode_frame(lab_frame("lab_ping_arp_udp.pcap", 2));
  EXPECT_EQ(layer_names(request), "eth:arp");
  EXPECT_EQ(field_of(request, "eth.dst").meaning, "broadcast");
  EXPECT_EQ(field_of(request, "arp.opcode").value, "1");
  EXPECT_EQ(field_of(request, "arp.opcode").meaning, "request");
  EXPECT_EQ(field_of(request, "arp.dst.proto_ipv4").value, "10.77.0.2");
  EXPECT_EQ(field_of(request, "arp.dst.proto_ipv4").offset, 38u);
  EXPECT_EQ(request.info, "Who has 10.77.0.2? Tell 10.77.0.1");
  auto reply = decode_frame(lab_frame("lab_ping_arp_udp.pcap", 3));
  EXPECT_EQ(reply.info, "10.77.0.2 is at ce:89:d7:ed:bc:38");
}

TEST(decoder, a_dhcp_discover_option_by_option) {
  auto d = decode_frame(lab_frame("lab_dhcp_dhclient.pcap", 0));
  EXPECT_EQ(layer_names(d), "eth:ip:udp:dhcp");
  EXPECT_EQ(field_of(d, "udp.srcport").meaning, "bootpc");
  EXPECT_EQ(field_of(d, "dhcp.id").value, "0xa313ba5b");
  EXPECT_EQ(field_of(d, "dhcp.hw.mac_addr").value, "ee:08:ef:89:57:0c");
  EXPECT_EQ(field_of(d, "dhcp.cookie").value, "99.130.83.99");
  const auto& type = field_of(d, "dhcp.option.type");
  EXPECT_EQ(type.value, "53");
  EXPECT_EQ(type.meaning, "dhcp_message_type");
  const auto& message = field_of(d, "dhcp.option.dhcp");
  EXPECT_EQ(message.value, "1");
  EXPECT_EQ(message.meaning, "DISCOVER");
  EXPECT_EQ(message.offset, type.offset + 2);
  EXPECT_EQ(field_of(d, "dhcp.option.hostname").value, "dhclient-host");
  EXPECT_EQ(field_of(d, "dhcp.option.request_list_item").meaning, "subnet_mask");
  EXPECT_EQ(d.info, "DHCP DISCOVER - Transaction ID 0xa313ba5b");
}

TEST(decoder, checksums_are_good_bad_with_the_right_value_or_partial) {
  auto bytes = lab_frame("lab_ping_arp_udp.pcap", 0);
  bytes[24] ^= 0xff; // the IP header checksum's first byte
  auto bad = decode_frame(bytes);
  EXPECT_EQ(field_of(bad, "ip.checksum.status").value, "0");
  EXPECT_EQ(field_of(bad, "ip.checksum").meaning, "incorrect, should be 0x1818");
  // A local sender's TCP SYN on a veth, its checksum left to offload.
  auto offloaded = decode_frame(lab_frame("lab_offloaded_checksums.pcap", 1));
  EXPECT_EQ(field_of(offloaded, "tcp.checksum.status").meaning, "Partial");
  EXPECT_EQ(field_of(offloaded, "tcp.checksum").meaning, "partial: the sender left it to be finished by offload");
  EXPECT_EQ(field_of(offloaded, "tcp.flags").value, "0x0002");
  EXPECT_EQ(field_of(offloaded, "tcp.flags").meaning, "SYN");
  EXPECT_EQ(field_of(offloaded, "tcp.options.mss_val").value, "1460");
}

TEST(decoder, a_malformed_frame_says_which_layer_field_and_byte) {
  auto bytes = lab_frame("lab_ping_arp_udp.pcap", 0);
  bytes[14] = 0x4f; // IHL 15: a 60-byte header in an 84-byte packet is fine; now cut the frame
  bytes.resize(60);
  auto d = decode_frame(bytes);
  ASSERT_TRUE(d.malformed);
  EXPECT_EQ(d.malformed->layer, "ip");
  EXPECT_EQ(d.malformed->field, "ip.hdr_len");
  EXPECT_EQ(d.malformed->offset, 14u);
  EXPECT_EQ(d.malformed->why, "the header length says 60 bytes; 46 remain");
  EXPECT_EQ(field_of(d, "eth.type").value, "0x0800") << "the layers before the fault stay decoded";
  auto short_frame = decode_frame(std::vector<std::uint8_t>(bytes.begin(), bytes.begin() + 10));
  ASSERT_TRUE(short_frame.malformed);
  EXPECT_EQ(short_frame.malformed->why, "an Ethernet header is 14 bytes; the frame has 10");
}

TEST(decoder, vlan_tags_and_fragments) {
  auto tagged = decode_frame(lab_frame("lab_vlan.pcap", 0));
  EXPECT_EQ(layer_names(tagged), "eth:vlan:ip:icmp:data");
  EXPECT_EQ(field_of(tagged, "eth.type").value, "0x8100");
  EXPECT_EQ(field_of(tagged, "vlan.etype").value, "0x0800");
  EXPECT_EQ(field_of(tagged, "ip.ttl").offset, 26u) << "4 bytes further for the tag";
  auto later = decode_frame(lab_frame("lab_ping_arp_udp.pcap", 7)); // the second fragment of a big ping
  EXPECT_EQ(layer_names(later), "eth:ip:data");
  EXPECT_EQ(field_of(later, "ip.frag_offset").value, "185");
  EXPECT_EQ(field_of(later, "ip.frag_offset").meaning, "1480 bytes");
}

TEST(decoder, an_icmp_error_decodes_the_header_it_quotes) {
  // Time exceeded from 10.77.0.2 about a UDP probe 10.77.0.1 -> 10.99.0.1 (traceroute's).
  std::vector<std::uint8_t> f = {
    0x1e, 0x58, 0x23, 0x16, 0xe0, 0x6f, 0xce, 0x89, 0xd7, 0xed, 0xbc, 0x38, 0x08, 0x00,  // Ethernet
    0x45, 0xc0, 0x00, 0x38, 0x00, 0x00, 0x00, 0x00, 0x40, 0x01, 0x00, 0x00, 10, 77, 0, 2, 10, 77, 0, 1,
    0x0b, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,                                      // ICMP time exceeded
    0x45, 0x00, 0x00, 0x3c, 0x12, 0x34, 0x00, 0x00, 0x01, 0x11, 0x00, 0x00, 10, 77, 0, 1, 10, 99, 0, 1,
    0x82, 0x9a, 0x82, 0x9b, 0x00, 0x28, 0x00, 0x00};                                     // UDP 33434 -> 33435
  auto d = decode_frame(f);
  EXPECT_EQ(layer_names(d), "eth:ip:icmp:ip:udp");
  EXPECT_EQ(field_of(d, "icmp.type").meaning, "Time-to-live exceeded");
  EXPECT_EQ(d.layers[3].title, "Internet Protocol Version 4, Src: 10.77.0.1, Dst: 10.99.0.1");
  EXPECT_EQ(d.layers[4].fields[1].value, "33435"); // the quoted destination port
  EXPECT_EQ(d.info, "Time-to-live exceeded (Time to live exceeded in transit)");
  EXPECT_EQ(d.source, "10.77.0.2") << "the columns are the error's, not the quoted datagram's";
}
