#include "protocols/dhcp_option_defs.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <string>
#include <vector>

using namespace etherbeam::protocols;

namespace {

using bytes = std::vector<std::uint8_t>;

bytes encoded(std::string_view name, std::vector<std::string> items) {
  auto v = encode_dhcp_option(*find_dhcp_option(name), items);
  if (auto* why = std::get_if<std::string>(&v)) ADD_FAILURE() << name << ": " << *why;
  return std::get_if<bytes>(&v) ? std::get<bytes>(v) : bytes{};
}

std::string refused(std::string_view name, std::vector<std::string> items) {
  auto v = encode_dhcp_option(*find_dhcp_option(name), items);
  EXPECT_TRUE(std::holds_alternative<std::string>(v)) << name << " took a bad value";
  return std::holds_alternative<std::string>(v) ? std::get<std::string>(v) : "";
}

TEST(DhcpOptionDefs, FindsRowsByKeaNameEitherSeparatorAliasOrCode) {
  EXPECT_EQ(find_dhcp_option("domain-name-servers")->code, 6);
  EXPECT_EQ(find_dhcp_option("domain_name_servers")->code, 6);
  EXPECT_EQ(find_dhcp_option("dns_servers")->code, 6);
  EXPECT_EQ(find_dhcp_option(std::uint8_t{121})->name, "classless_static_route");
  EXPECT_EQ(find_dhcp_option("no_such_option"), nullptr);
  for (const auto& d : dhcp_option_defs()) EXPECT_EQ(find_dhcp_option(d.code), &d) << "one row per code: " << d.name;
}

TEST(DhcpOptionDefs, EncodesAddressesNumbersAndText) {
  EXPECT_EQ(encoded("routers", {"10.77.0.1", "10.77.0.2"}), (bytes{10, 77, 0, 1, 10, 77, 0, 2}));
  EXPECT_EQ(encoded("interface_mtu", {"1500"}), (bytes{0x05, 0xdc}));
  EXPECT_EQ(encoded("time_offset", {"-3600"}), (bytes{0xff, 0xff, 0xf1, 0xf0}));
  EXPECT_EQ(encoded("ip_forwarding", {"false"}), (bytes{0}));
  EXPECT_EQ(encoded("tftp_server_name", {"tftp.lab"}), (bytes{'t', 'f', 't', 'p', '.', 'l', 'a', 'b'}));
  EXPECT_EQ(encoded("vendor_encapsulated_options", {"01:04:0a:00:00:01"}), (bytes{1, 4, 10, 0, 0, 1}));
}

// RFC 3397 §2: names in RFC 1035 encoding, one after another.
TEST(DhcpOptionDefs, EncodesADomainSearchListInRfc1035Labels) {
  EXPECT_EQ(encoded("domain_search", {"eng.apple.com.", "marketing.apple.com"}),
            (bytes{3, 'e', 'n', 'g', 5, 'a', 'p', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0,
                   9, 'm', 'a', 'r', 'k', 'e', 't', 'i', 'n', 'g', 5, 'a', 'p', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0}));
  EXPECT_NE(refused("domain_search", {"a..b"}).find("label"), std::string::npos);
  EXPECT_NE(refused("domain_search", {std::string(64, 'x') + ".lab"}).find("63"), std::string::npos);
}

// RFC 3442 §1: the destination's significant octets only, by prefix length.
TEST(DhcpOptionDefs, EncodesClasslessRoutesAsRfc3442Describes) {
  EXPECT_EQ(encoded("classless_static_route", {"0.0.0.0/0 via 10.0.0.1"}), (bytes{0, 10, 0, 0, 1}));
  EXPECT_EQ(encoded("classless_static_route", {"10.0.0.0/8 10.0.0.1"}), (bytes{8, 10, 10, 0, 0, 1}));
  EXPECT_EQ(encoded("classless_static_route", {"10.17.0.0/16 - 10.0.0.1"}), (bytes{16, 10, 17, 10, 0, 0, 1}));
  EXPECT_EQ(encoded("classless_static_route", {"10.229.0.128/25 via 10.0.0.1"}),
            (bytes{25, 10, 229, 0, 128, 10, 0, 0, 1}));
  EXPECT_EQ(encoded("classless_static_route", {"10.198.122.47/32 via 10.0.0.1"}),
            (bytes{32, 10, 198, 122, 47, 10, 0, 0, 1}));
  EXPECT_NE(refused("classless_static_route", {"10.1.2.3/16 via 10.0.0.1"}).find("host bits"), std::string::npos);
  EXPECT_NE(refused("classless_static_route", {"10.1.0.0/16"}).find("via"), std::string::npos);
}

TEST(DhcpOptionDefs, RefusesValuesOfTheWrongTypeSayingWhatItWanted) {
  EXPECT_NE(refused("routers", {"10.0.0.300"}).find("not an IPv4 address"), std::string::npos);
  EXPECT_NE(refused("interface_mtu", {"70000"}).find("0..65535"), std::string::npos);
  EXPECT_NE(refused("domain_name", {"a", "b"}).find("one value"), std::string::npos);
  EXPECT_NE(refused("static_routes", {"10.0.0.1"}).find("pairs"), std::string::npos);
  EXPECT_NE(refused("vendor_encapsulated_options", {"xyz"}).find("hex"), std::string::npos);
}

TEST(DhcpOptionDefs, DecodesWhatItEncodes) {
  for (auto [name, items, text] : std::vector<std::tuple<std::string, std::vector<std::string>, std::string>>{
         {"routers", {"10.77.0.1", "10.77.0.2"}, "10.77.0.1, 10.77.0.2"},
         {"domain_search", {"lab.example", "example"}, "lab.example, example"},
         {"classless_static_route", {"10.229.0.128/25 via 10.0.0.1", "0.0.0.0/0 via 10.0.0.2"},
          "10.229.0.128/25 via 10.0.0.1, 0.0.0.0/0 via 10.0.0.2"},
         {"interface_mtu", {"1500"}, "1500"},
         {"time_offset", {"-3600"}, "-3600"},
         {"domain_name", {"lab.example"}, "lab.example"}}) {
    const auto* def = find_dhcp_option(name);
    EXPECT_EQ(decode_dhcp_option(*def, encoded(name, items)), text) << name;
  }
  EXPECT_EQ(decode_dhcp_option(*find_dhcp_option("routers"), bytes{1, 2, 3}), std::nullopt) << "not a multiple of 4";
  EXPECT_EQ(decode_dhcp_option(*find_dhcp_option("classless_static_route"), bytes{33, 1, 2, 3, 4, 5, 6, 7, 8}),
            std::nullopt);
}

} // namespace

namespace {

// docs/DHCP_OPTIONS.md is what users read to write options: it must list every row.
TEST(DhcpOptionDefs, TheDocumentationListsEveryOption) {
  std::ifstream in(ETHERBEAM_SOURCE_DIR "/docs/DHCP_OPTIONS.md");
  std::string doc{std::istreambuf_iterator<char>(in), {}};
  for (const auto& d : dhcp_option_defs())
    EXPECT_NE(doc.find("| " + std::to_string(d.code) + " | `" + std::string(d.name) + "` |"), std::string::npos)
      << d.name << " is missing from docs/DHCP_OPTIONS.md";
}

} // namespace
