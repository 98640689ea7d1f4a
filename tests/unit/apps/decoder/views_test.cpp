#include "apps/decoder/frame_views.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <tuple>

#include <nlohmann/json.hpp>

#include "apps/decoder/field_notes.hpp"
#include "tests/unit/apps/decoder/decoded_lab.hpp"

using namespace etherbeam::apps::decoder;
using namespace etherbeam::decoder_test;

TEST(views, the_text_tree_gives_value_meaning_name_and_bytes) {
  auto bytes = lab_frame("lab_ping_arp_udp.pcap", 0);
  auto d = decode_frame(bytes);
  view_options tree;
  tree.verbose = true;
  auto text = text_view(1, 0, d, bytes, tree);
  EXPECT_NE(text.find("Frame 1: 98 bytes, eth:ip:icmp:data\n"), std::string::npos) << text;
  EXPECT_NE(text.find("Internet Protocol Version 4, Src: 10.77.0.1, Dst: 10.77.0.2  [ip, bytes 14-33]"), std::string::npos);
  EXPECT_NE(text.find("    Time to Live: 64  [ip.ttl, byte 22]\n"), std::string::npos);
  EXPECT_NE(text.find("    Flags: 0x02 (Don't fragment)  [ip.flags, byte 20]\n        Reserved bit: 0"), std::string::npos);
  EXPECT_EQ(text.find("↳"), std::string::npos) << "no notes without --explain";
  tree.explain = true;
  text = text_view(1, 0, d, bytes, tree);
  EXPECT_NE(text.find("    Time to Live: 64  [ip.ttl, byte 22]\n        ↳ hops left"), std::string::npos);
  tree.only = {"icmp"};
  text = text_view(1, 0, d, bytes, tree);
  EXPECT_EQ(text.find("Time to Live"), std::string::npos) << "-O icmp: the IP layer's title only";
  EXPECT_NE(text.find("Identifier (BE): 4427"), std::string::npos);
}

TEST(views, one_line_per_frame_without_verbose) {
  auto bytes = lab_frame("lab_ping_arp_udp.pcap", 2);
  auto line = text_view(3, 0.011427, decode_frame(bytes), bytes, {});
  EXPECT_EQ(line, "     3    0.011427 1e:58:23:16:e0:6f → ff:ff:ff:ff:ff:ff ARP 42 Who has 10.77.0.2? Tell 10.77.0.1\n");
}

TEST(views, the_hex_dump_lines_up_and_colours_each_layer) {
  auto bytes = lab_frame("lab_ping_arp_udp.pcap", 2);
  auto d = decode_frame(bytes);
  auto plain = hex_dump(d, bytes, false);
  EXPECT_EQ(plain.substr(0, plain.find('\n')),
            "0000  ff ff ff ff ff ff 1e 58  23 16 e0 6f 08 06 00 01   .......X#..o....");
  auto coloured = hex_dump(d, bytes, true);
  EXPECT_NE(coloured.find("\033[36m08\033[0m \033[36m06\033[0m \033[33m00\033[0m"), std::string::npos)
    << "the ethertype in Ethernet's colour, ARP's first byte in the next";
}

TEST(views, json_names_fields_as_wireshark_with_their_spans) {
  auto bytes = lab_frame("lab_dhcp_dhclient.pcap", 0);
  auto j = nlohmann::json::parse(json_view(1, 0.5, decode_frame(bytes)));
  EXPECT_EQ(j["frame"], 1);
  EXPECT_EQ(j["protocols"], "eth:ip:udp:dhcp");
  const auto& ip = j["layers"][1];
  EXPECT_EQ(ip["layer"], "ip");
  nlohmann::json ttl;
  for (const auto& f : ip["fields"])
    if (f["name"] == "ip.ttl") ttl = f;
  EXPECT_EQ(ttl, (nlohmann::json{{"name", "ip.ttl"}, {"value", "128"}, {"offset", 22}, {"length", 1}}));
  const auto& dhcp = j["layers"][3]["fields"];
  auto option = std::find_if(dhcp.begin(), dhcp.end(), [](const auto& f) { return f["name"] == "dhcp.option.type"; });
  ASSERT_NE(option, dhcp.end());
  EXPECT_EQ((*option)["children"][2]["name"], "dhcp.option.dhcp");
  EXPECT_EQ((*option)["children"][2]["meaning"], "DISCOVER");
}

TEST(views, a_malformed_frame_is_named_in_every_view) {
  auto bytes = lab_frame("lab_ping_arp_udp.pcap", 0);
  bytes.resize(30);
  auto d = decode_frame(bytes);
  EXPECT_NE(summary_line(1, 0, d).find("[Malformed ip, at byte 14: an IPv4 header is at least 20 bytes; 16 remain]"),
            std::string::npos);
  auto j = nlohmann::json::parse(json_view(1, 0, d));
  EXPECT_EQ(j["malformed"]["layer"], "ip");
  EXPECT_EQ(j["malformed"]["offset"], 14);
}

TEST(views, every_note_names_where_the_field_is_defined) {
  const auto* ttl = note_for("ip.ttl");
  ASSERT_NE(ttl, nullptr);
  EXPECT_NE(ttl->where.find("RFC 791"), std::string::npos);
  EXPECT_EQ(note_for("no.such.field"), nullptr);
}

namespace {

void every_field(const std::vector<field>& fields, const std::function<void(const field&)>& f) {
  for (const auto& x : fields) {
    f(x);
    every_field(x.children, f);
  }
}

// The JSON fields in order, flattened: (name, value, offset, length).
void json_fields(const nlohmann::json& fields, std::vector<std::tuple<std::string, std::string, std::size_t, std::size_t>>& out) {
  for (const auto& f : fields) {
    out.emplace_back(f["name"], f["value"], f["offset"], f["length"]);
    if (f.contains("children")) json_fields(f["children"], out);
  }
}

} // namespace

TEST(views, every_field_of_every_lab_frame_renders_the_same_in_text_and_json) {
  std::size_t checked = 0;
  for (const char* pcap : {"lab_ping_arp_udp.pcap", "lab_dhcp_dhclient.pcap", "lab_dhcp_udhcpc.pcap",
                           "lab_dhcp_dhcpcd.pcap", "lab_dhcp_perfdhcp.pcap", "lab_vlan.pcap", "lab_fragments.pcap",
                           "lab_offloaded_checksums.pcap", "lab_kernel_replies.pcap", "lab_ipv6.pcap"}) {
    auto frames = etherbeam::test_frames::pcap_frames(pcap);
    for (std::size_t n = 0; n < frames.size(); ++n) {
      const auto& bytes = frames[n];
      auto d = decode_frame(bytes);
      view_options tree;
      tree.verbose = true;
      auto text = text_view(n + 1, 0, d, bytes, tree);
      auto j = nlohmann::json::parse(json_view(n + 1, 0, d));
      std::vector<std::tuple<std::string, std::string, std::size_t, std::size_t>> in_json;
      for (const auto& l : j["layers"]) json_fields(l["fields"], in_json);
      std::size_t i = 0;
      for (const auto& l : d.layers)
        every_field(l.fields, [&](const field& f) {
          SCOPED_TRACE(std::string(pcap) + " frame " + std::to_string(n + 1) + " " + f.name);
          EXPECT_LE(f.offset + f.length, bytes.size());
          bool grouping = f.value.empty() && !f.children.empty(); // an option, an extension header
          std::string line = f.label + (grouping ? (f.meaning.empty() ? "" : ": " + f.meaning)
                                                 : ": " + f.value + (f.meaning.empty() ? "" : " (" + f.meaning + ")")) +
                             "  [" + f.name + ", " +
                             (f.length == 0 ? "0 bytes, at " : f.length == 1 ? "byte " : "bytes ") +
                             std::to_string(f.offset);
          EXPECT_NE(text.find(line), std::string::npos) << line;
          ASSERT_LT(i, in_json.size());
          EXPECT_EQ(in_json[i], std::make_tuple(f.name, f.value, f.offset, f.length));
          ++i;
          ++checked;
        });
      EXPECT_EQ(i, in_json.size());
    }
  }
  EXPECT_GT(checked, 3000u);
}
