// IPv6 as two Linux kernels sent it over a veth (tests/data/capture_ipv6.py):
// MLDv2 with a hop-by-hop option, neighbour discovery, ping6 whole and
// fragmented, UDP and its port unreachable, TCP.
#include "apps/decoder/frame_decoder.hpp"

#include <gtest/gtest.h>

#include "tests/unit/apps/decoder/decoded_lab.hpp"

using namespace etherbeam::apps::decoder;
using namespace etherbeam::decoder_test;

namespace {

decoded_frame lab(std::size_t index) { return decode_frame(lab_frame("lab_ipv6.pcap", index)); }

// Every value of the fields named `name`, in frame order.
std::vector<std::string> values_of(const decoded_frame& d, const std::string& name) {
  std::vector<std::string> out;
  std::function<void(const std::vector<field>&)> walk = [&](const std::vector<field>& fields) {
    for (const auto& f : fields) {
      if (f.name == name) out.push_back(f.value);
      walk(f.children);
    }
  };
  for (const auto& l : d.layers) walk(l.fields);
  return out;
}

} // namespace

TEST(ipv6, an_mld_report_behind_a_hop_by_hop_router_alert) {
  auto d = lab(0);
  EXPECT_EQ(layer_names(d), "eth:ipv6:icmpv6");
  EXPECT_FALSE(d.malformed);
  EXPECT_EQ(field_of(d, "eth.type").meaning, "IPv6");
  EXPECT_EQ(field_of(d, "ipv6.version").value, "6");
  EXPECT_EQ(field_of(d, "ipv6.nxt").value, "0");
  EXPECT_EQ(field_of(d, "ipv6.hlim").value, "1");
  EXPECT_EQ(field_of(d, "ipv6.src").value, "::");
  EXPECT_EQ(field_of(d, "ipv6.dst").value, "ff02::16");
  EXPECT_EQ(field_of(d, "ipv6.dst").offset, 38u);
  EXPECT_EQ(field_of(d, "ipv6.hopopts.nxt").value, "58");
  EXPECT_EQ(field_of(d, "ipv6.hopopts.len_oct").value, "8");
  EXPECT_EQ(values_of(d, "ipv6.opt.type"), (std::vector<std::string>{"0x05", "0x01"}));
  EXPECT_EQ(field_of(d, "ipv6.opt.router_alert").value, "0");
  EXPECT_EQ(field_of(d, "icmpv6.type").value, "143");
  EXPECT_EQ(field_of(d, "icmpv6.checksum").value, "0x75fb");
  EXPECT_EQ(field_of(d, "icmpv6.checksum").meaning, "correct");
  EXPECT_EQ(field_of(d, "icmpv6.checksum").offset, 64u); // 14 + 40 + 8 + 2
  EXPECT_EQ(field_of(d, "icmpv6.mldr.nb_mcast_records").value, "1");
  EXPECT_EQ(field_of(d, "icmpv6.mldr.mar.multicast_address").value, "ff02::1:ff52:f93c");
  EXPECT_EQ(field_of(d, "icmpv6.mldr.mar.record_type").value, "4");
}

TEST(ipv6, neighbour_solicitation_and_advertisement_with_their_link_addresses) {
  auto ns = lab(4);
  EXPECT_EQ(field_of(ns, "icmpv6.type").meaning, "Neighbor Solicitation");
  EXPECT_EQ(field_of(ns, "icmpv6.nd.ns.target_address").value, "fd00:77::3");
  EXPECT_EQ(field_of(ns, "icmpv6.opt.src_linkaddr").value, "46:ad:5a:52:f9:3c");
  EXPECT_EQ(ns.info, "Neighbor Solicitation for fd00:77::3");
  auto na = lab(5);
  EXPECT_EQ(field_of(na, "icmpv6.nd.na.flag").value, "0x60000000");
  EXPECT_EQ(field_of(na, "icmpv6.nd.na.flag.r").value, "0");
  EXPECT_EQ(field_of(na, "icmpv6.nd.na.flag.s").value, "1");
  EXPECT_EQ(field_of(na, "icmpv6.nd.na.flag.o").value, "1");
  EXPECT_EQ(field_of(na, "icmpv6.opt.target_linkaddr").value, "b6:aa:c5:ab:0b:60");
  EXPECT_EQ(field_of(na, "icmpv6.checksum").meaning, "correct");
}

TEST(ipv6, ping6_whole_and_in_fragments) {
  auto echo = lab(6);
  EXPECT_EQ(layer_names(echo), "eth:ipv6:icmpv6:data");
  EXPECT_EQ(field_of(echo, "ipv6.flow").value, "0x0f36d3");
  EXPECT_EQ(field_of(echo, "icmpv6.echo.identifier").value, "0x319c");
  EXPECT_EQ(field_of(echo, "icmpv6.echo.sequence_number").value, "1");
  EXPECT_EQ(field_of(echo, "icmpv6.checksum").meaning, "correct");
  EXPECT_EQ(echo.source, "fd00:77::1");
  // The first fragment: its ICMPv6 header is read, its checksum cannot be checked here.
  auto first = lab(11);
  EXPECT_EQ(layer_names(first), "eth:ipv6:icmpv6:data");
  EXPECT_EQ(field_of(first, "ipv6.fraghdr.more").value, "1");
  EXPECT_EQ(field_of(first, "ipv6.fraghdr.offset").value, "0");
  EXPECT_EQ(field_of(first, "ipv6.fraghdr.ident").value, "0x5e5407f9");
  EXPECT_EQ(field_of(first, "icmpv6.checksum.status").value, "2");
  auto later = lab(12);
  EXPECT_EQ(layer_names(later), "eth:ipv6:data");
  EXPECT_EQ(field_of(later, "ipv6.fraghdr.offset").value, "181");
  EXPECT_EQ(field_of(later, "ipv6.fraghdr.offset").meaning, "1448 bytes");
}

TEST(ipv6, udp_and_tcp_checksums_over_ipv6s_pseudo_header) {
  auto udp = lab(17); // sent with its checksum left to offload
  EXPECT_EQ(layer_names(udp), "eth:ipv6:udp:data");
  EXPECT_EQ(field_of(udp, "udp.checksum").value, "0xfb0f");
  EXPECT_EQ(field_of(udp, "udp.checksum.status").meaning, "Partial");
  auto unreachable = lab(18); // the server's kernel refusing it, quoting it whole
  EXPECT_EQ(layer_names(unreachable), "eth:ipv6:icmpv6:ipv6:udp");
  EXPECT_EQ(field_of(unreachable, "icmpv6.code").meaning, "port unreachable");
  EXPECT_EQ(values_of(unreachable, "ipv6.flow"), (std::vector<std::string>{"0x05338f", "0x08d0b4"}));
  EXPECT_EQ(field_of(unreachable, "icmpv6.checksum").meaning, "correct");
  EXPECT_EQ(unreachable.source, "fd00:77::3"); // the error's, not the quoted datagram's
  auto syn = lab(19);
  EXPECT_EQ(layer_names(syn), "eth:ipv6:tcp");
  EXPECT_EQ(field_of(syn, "tcp.options.mss_val").value, "1440");
  EXPECT_EQ(field_of(syn, "tcp.checksum.status").meaning, "Partial");
}

TEST(ipv6, a_short_or_overlong_packet_is_named_as_the_fault) {
  auto bytes = lab_frame("lab_ipv6.pcap", 6);
  auto cut = decode_frame(std::vector<std::uint8_t>(bytes.begin(), bytes.begin() + 14 + 39));
  ASSERT_TRUE(cut.malformed);
  EXPECT_EQ(cut.malformed->why, "an IPv6 header is 40 bytes; 39 remain");
  auto shorter = decode_frame(std::vector<std::uint8_t>(bytes.begin(), bytes.end() - 1));
  ASSERT_TRUE(shorter.malformed);
  EXPECT_EQ(shorter.malformed->field, "ipv6.plen");
  EXPECT_EQ(shorter.malformed->why, "the payload length says 64 bytes; 63 remain");
}
