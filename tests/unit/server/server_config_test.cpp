#include "server/server_config.hpp"

#include <gtest/gtest.h>

#include <map>
#include <unistd.h>

#include <fstream>

using namespace etherbeam::actors;
using namespace etherbeam::server;
using namespace etherbeam::apps::dhcp;

namespace {

struct config_file {
  std::filesystem::path path;
  explicit config_file(const std::string& text) {
    char tmpl[] = "/tmp/etherbeam-config-XXXXXX";
    int fd = ::mkstemp(tmpl);
    ::close(fd);
    path = tmpl;
    std::ofstream{path} << text;
  }
  ~config_file() { std::filesystem::remove(path); }
};

std::string error_of(const std::string& text) {
  config_file f{text};
  server_config c;
  try {
    load_config_file(f.path, c);
    validate(c);
  } catch (const config_error& e) {
    return e.what();
  }
  return "";
}

} // namespace

TEST(server_config, loads_the_documented_settings) {
  config_file f{"socket_dir = \"/tmp/eb\"\nlog_level = \"debug\"\nscheduler_threads = 2\n"
                "[stack]\naddresses = [\"10.0.0.2/24\", \"10.0.1.2/24\"]\n"
                "mac = \"02:00:00:00:00:01\"\nanswer_broadcast_ping = true\n"};
  server_config c;
  load_config_file(f.path, c);
  validate(c);
  EXPECT_EQ(c.socket_dir, "/tmp/eb");
  EXPECT_EQ(c.log_level, "debug");
  EXPECT_EQ(c.scheduler_threads, 2u);
  ASSERT_EQ(c.identity.addresses.size(), 2u);
  EXPECT_EQ(c.identity.addresses[1].to_string(), "10.0.1.2/24");
  EXPECT_EQ(c.identity.mac->to_string(), "02:00:00:00:00:01");
  EXPECT_TRUE(c.identity.answer_broadcast_ping);
}

TEST(server_config, names_the_line_and_entry_of_a_bad_address) {
  auto e = error_of("[stack]\naddresses = [\n  \"10.0.0.2/24\",\n  \"10.0.0.300/24\",\n]\n");
  EXPECT_NE(e.find("line 4"), std::string::npos) << e;
  EXPECT_NE(e.find("stack.addresses[1]"), std::string::npos) << e;
  EXPECT_NE(e.find("10.0.0.2/24"), std::string::npos) << e; // shows the expected form
}

TEST(server_config, refuses_unknown_settings_and_wrong_types) {
  EXPECT_NE(error_of("[stack]\nadresses = [\"10.0.0.2/24\"]\n").find("unknown setting stack.adresses"),
            std::string::npos);
  EXPECT_NE(error_of("log_level = 3\n").find("log_level must be a string"), std::string::npos);
  EXPECT_NE(error_of("[stack]\nmac = \"ff:ff:ff:ff:ff:ff\"\n").find("unicast"), std::string::npos);
}

TEST(server_config, requires_an_address_and_refuses_duplicates) {
  EXPECT_NE(error_of("").find("no address to serve"), std::string::npos);
  EXPECT_NE(error_of("[stack]\naddresses = [\"10.0.0.2/24\", \"10.0.0.2/16\"]\n").find("given twice"),
            std::string::npos);
}

TEST(server_config, reports_toml_syntax_errors_with_their_line) {
  EXPECT_NE(error_of("log_level = \"info\"\n[stack\n").find("line 2"), std::string::npos);
}

TEST(ServerConfig, TheDocumentedExampleLoadsAsDescribed) {
  server_config c;
  load_config_file(ETHERBEAM_SOURCE_DIR "/docs/etherbeam.example.toml", c);
  validate(c);
  EXPECT_EQ(c.socket_dir, "/run/etherbeam");
  ASSERT_EQ(c.identity.addresses.size(), 1u);
  EXPECT_EQ(c.identity.addresses[0].address.to_string(), "192.0.2.10");
  EXPECT_FALSE(c.identity.mac.has_value());
  EXPECT_FALSE(c.identity.answer_broadcast_ping);
  ASSERT_EQ(c.dhcp.subnets.size(), 1u);
  const auto& s = c.dhcp.subnets[0];
  EXPECT_EQ(s.network.to_string(), "192.0.2.0/24");
  ASSERT_EQ(s.pools.size(), 1u);
  EXPECT_EQ(s.pools[0].last.to_string(), "192.0.2.199");
  EXPECT_EQ(s.reservations.size(), 2u);
  EXPECT_EQ(s.reservations[1].client_id.size(), 9u);
  std::map<int, std::vector<std::uint8_t>> by_code;
  for (const auto& o : s.options) by_code[o.code] = o.value;
  EXPECT_EQ(by_code.size(), 7u) << "3, 6, 15, 119, 121, 26 and 252";
  EXPECT_EQ(by_code[119], (std::vector<std::uint8_t>{3, 'l', 'a', 'b', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0,
                                                     7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0}));
  EXPECT_EQ(by_code[121], (std::vector<std::uint8_t>{24, 198, 51, 100, 192, 0, 2, 254, 0, 192, 0, 2, 1}));
  EXPECT_EQ(by_code[26], (std::vector<std::uint8_t>{0x05, 0xdc}));
  ASSERT_EQ(c.dhcp.classes.size(), 3u);
  EXPECT_EQ(c.dhcp.classes[0].user_class, "iPXE");
  EXPECT_EQ(c.dhcp.classes[1].architectures, (std::vector<std::uint16_t>{7, 9}));
  EXPECT_EQ(c.dhcp.classes[2].boot.boot_file, "undionly.kpxe");
  EXPECT_EQ(c.dhcp.decline_hold, std::chrono::seconds(600));
}

TEST(ServerConfig, DhcpMistakesNameTheEntryAndTheFix) {
  auto base = std::string("[stack]\naddresses = [\"10.0.0.2/24\"]\n");
  EXPECT_NE(error_of(base + "[[dhcp.subnet]]\nsubnet = \"10.0.0.0/24\"\npools = [\"10.0.0.9-10.0.0.1\"]\n")
              .find("line 5: dhcp.subnet.pools[0]: range '10.0.0.9-10.0.0.1' ends before it starts"),
            std::string::npos);
  EXPECT_NE(error_of(base + "[[dhcp.subnet]]\nsubnet = \"10.0.0.0/24\"\npools = [\"10.1.0.1-10.1.0.9\"]\n")
              .find("dhcp subnet 10.0.0.0/24: pool 10.1.0.1-10.1.0.9 is not inside the subnet"),
            std::string::npos);
  EXPECT_NE(error_of(base + "[[dhcp.subnet]]\npools = [\"10.0.0.1-10.0.0.9\"]\n").find("a subnet needs"),
            std::string::npos);
  EXPECT_NE(error_of(base + "[[dhcp.subnet]]\nsubnet = \"10.0.0.0/24\"\npools = [\"10.0.0.1-10.0.0.9\"]\n"
                            "[[dhcp.subnet.reservation]]\naddress = \"10.0.0.5\"\n")
              .find("exactly one of mac or client_id"),
            std::string::npos);
  EXPECT_NE(error_of(base + "[[dhcp.subnet]]\nsubnet = \"10.0.0.0/24\"\npools = [\"10.0.0.1-10.0.0.9\"]\n"
                            "lease_time = 100\nrenewal_time = 200\n")
              .find("renewal_time < rebinding_time < lease_time"),
            std::string::npos);
  EXPECT_NE(error_of(base + "[dhcp]\nlease_tme = 5\n").find("unknown setting dhcp.lease_tme"), std::string::npos);
}

TEST(server_config, reads_links_and_serves_them_in_order) {
  config_file f{"[[link]]\nname = \"lan\"\nsocket_dir = \"/run/eb-lan\"\naddresses = [\"10.0.0.1/24\"]\n"
                "mac = \"02:00:00:00:00:01\"\n"
                "[[link]]\nname = \"wan\"\nsocket_dir = \"/run/eb-wan\"\naddresses = [\"192.0.2.2/24\"]\n"
                "frames_socket = \"/tmp/raw_to_gleam.sock\"\n"
                "[stack]\nanswer_broadcast_ping = true\n"};
  server_config c;
  load_config_file(f.path, c);
  validate(c);
  auto links = served_links(c);
  ASSERT_EQ(links.size(), 2u);
  EXPECT_EQ(links[0].name, "lan");
  EXPECT_EQ(links[0].socket_dir, "/run/eb-lan");
  EXPECT_EQ(links[0].identity.mac->to_string(), "02:00:00:00:00:01");
  EXPECT_EQ(links[1].frames_socket, "/tmp/raw_to_gleam.sock");
  EXPECT_TRUE(links[1].identity.answer_broadcast_ping) << "a stack-wide setting";
  EXPECT_EQ(owned_addresses(c).size(), 2u);
}

TEST(server_config, the_one_link_shorthand_is_a_link_named_main) {
  server_config c;
  c.socket_dir = "/run/etherbeam";
  c.identity.addresses.push_back(*etherbeam::protocols::ipv4_interface::from_string("10.0.0.2/24"));
  auto links = served_links(c);
  ASSERT_EQ(links.size(), 1u);
  EXPECT_EQ(links[0].name, "main");
  EXPECT_EQ(links[0].socket_dir, "/run/etherbeam");
}

TEST(server_config, refuses_links_that_clash_or_lack_what_they_need) {
  const std::string lan = "[[link]]\nname = \"lan\"\nsocket_dir = \"/run/a\"\naddresses = [\"10.0.0.1/24\"]\n";
  EXPECT_NE(error_of(lan + lan).find("two links are named lan"), std::string::npos);
  EXPECT_NE(error_of(lan + "[[link]]\nname = \"wan\"\nsocket_dir = \"/run/a\"\naddresses = [\"10.0.1.1/24\"]\n")
              .find("share a socket"), std::string::npos);
  EXPECT_NE(error_of(lan + "[[link]]\nname = \"wan\"\nsocket_dir = \"/run/b\"\naddresses = [\"10.0.0.1/24\"]\n")
              .find("10.0.0.1 is given twice"), std::string::npos);
  EXPECT_NE(error_of("[[link]]\nsocket_dir = \"/run/a\"\naddresses = [\"10.0.0.1/24\"]\n").find("needs a name"),
            std::string::npos);
  EXPECT_NE(error_of("[[link]]\nname = \"lan\"\naddresses = [\"10.0.0.1/24\"]\n").find("needs a socket_dir"),
            std::string::npos);
  EXPECT_NE(error_of("[[link]]\nname = \"lan\"\nsocket_dir = \"/run/a\"\n").find("needs addresses"),
            std::string::npos);
  EXPECT_NE(error_of(lan + "[stack]\naddresses = [\"10.0.9.1/24\"]\n").find("cannot be mixed"), std::string::npos);
  EXPECT_NE(error_of("[[link]]\nname = \"lan\"\nport = 3\n").find("unknown setting link.port"), std::string::npos);
}

TEST(server_config, busy_polling_is_off_unless_asked_and_bounded) {
  EXPECT_EQ(server_config{}.busy_poll_us, 0);
  EXPECT_EQ(server_config{}.model, concurrency_model::inline_);
  config_file f{"busy_poll_us = 50\n[stack]\naddresses = [\"10.0.0.2/24\"]\n"};
  server_config c;
  load_config_file(f.path, c);
  EXPECT_EQ(c.busy_poll_us, 50);
  EXPECT_NE(error_of("busy_poll_us = 5000\n[stack]\naddresses = [\"10.0.0.2/24\"]\n").find("between 0 and 1000"),
            std::string::npos);
}
