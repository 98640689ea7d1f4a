#include "apps/firewall/rules_file.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

using namespace etherbeam::apps::firewall;

namespace {

const std::vector<std::string> links{"lan", "wan"};

std::size_t error_line(const std::string& text) {
  try {
    parse_rules(text, links);
  } catch (const rules_error& e) {
    return e.line;
  }
  return 0;
}

std::string error_text(const std::string& text) {
  try {
    parse_rules(text, links);
  } catch (const rules_error& e) {
    return e.what();
  }
  return "";
}

} // namespace

TEST(rules_file, reads_the_documented_example) {
  std::ifstream in(std::string(ETHERBEAM_SOURCE_DIR) + "/docs/firewall.example.rules");
  ASSERT_TRUE(in) << "docs/firewall.example.rules";
  std::stringstream text;
  text << in.rdbuf();
  auto rules = parse_rules(text.str(), links);
  EXPECT_EQ(rules->forward().policy, action::drop);
  EXPECT_FALSE(rules->forward().rules.empty());
  EXPECT_FALSE(rules->nat().empty());
}

TEST(rules_file, reads_each_kind_of_match) {
  auto rules = parse_rules(R"(set inside { 10.1.0.0/16, 192.168.7.9 }
chain forward policy drop {
  ct state established,related accept   # the usual first rule
  iif lan oif wan ip saddr @inside accept
  ip daddr != 10.0.0.0/8 tcp dport 1000-2000 counter web reject
  icmp type echo-request drop
  ip protocol 47 accept
}
nat {
  oif wan masquerade
  iif wan tcp dport 8080 dnat to 10.1.0.5:80
}
)", links);
  const auto& f = rules->forward();
  ASSERT_EQ(f.rules.size(), 5u);
  EXPECT_EQ(f.rules[0].states, (1u << unsigned(connection_state::established)) | (1u << unsigned(connection_state::related)));
  EXPECT_EQ(f.rules[0].line, 3u);
  EXPECT_EQ(f.rules[0].name, "forward.3");
  EXPECT_EQ(f.rules[1].in_link->links, std::vector<etherbeam::actors::link_index>{0});
  EXPECT_EQ(f.rules[1].out_link->links, std::vector<etherbeam::actors::link_index>{1});
  ASSERT_TRUE(f.rules[1].source);
  EXPECT_EQ(f.rules[1].source->size(), 2u);
  EXPECT_TRUE(f.rules[2].destination_negated);
  EXPECT_EQ(f.rules[2].destination_port->low, 1000);
  EXPECT_EQ(f.rules[2].destination_port->high, 2000);
  EXPECT_EQ(f.rules[2].name, "web");
  EXPECT_EQ(f.rules[2].verdict, action::reject);
  EXPECT_EQ(f.rules[3].icmp_type, 8);
  EXPECT_EQ(f.rules[4].protocol, 47);
  ASSERT_EQ(rules->nat().size(), 2u);
  EXPECT_EQ(rules->nat()[0].what, nat_rule::kind::masquerade);
  EXPECT_EQ(rules->nat()[0].link.links, std::vector<etherbeam::actors::link_index>{1});
  EXPECT_EQ(rules->nat()[1].to.to_string(), "10.1.0.5");
  EXPECT_EQ(rules->nat()[1].to_port, 80);
  EXPECT_EQ(rules->input().policy, action::accept); // absent: accept, as with no firewall
}

TEST(rules_file, names_the_line_that_is_wrong_and_why) {
  EXPECT_EQ(error_line("chain input {\n  tcp dport 22 acept\n}\n"), 2u);
  EXPECT_NE(error_text("chain input {\n  tcp dport 22 acept\n}\n").find("unknown word \"acept\""), std::string::npos);
  EXPECT_EQ(error_line("chain forward {\n\n  iif dmz accept\n}\n"), 3u);
  EXPECT_NE(error_text("chain forward {\n  iif dmz accept\n}\n").find("the links served: lan, wan"), std::string::npos);
  EXPECT_EQ(error_line("chain output {\n}\n"), 1u);
  EXPECT_EQ(error_line("chain input {\n  ip saddr 10.0.0.1/8 accept\n}\n"), 2u);
  EXPECT_NE(error_text("chain input {\n  ip saddr 10.0.0.1/8 accept\n}\n").find("did you mean 10.0.0.0/8"),
            std::string::npos);
  EXPECT_EQ(error_line("chain input {\n  tcp dport 70000 accept\n}\n"), 2u);
  EXPECT_EQ(error_line("chain input {\n  tcp dport 22\n}\n"), 2u); // no verdict
  EXPECT_EQ(error_line("chain input {\n  ip saddr @nowhere drop\n}\n"), 2u);
  EXPECT_EQ(error_line("chain input policy reject {\n}\n"), 1u);
  EXPECT_EQ(error_line("chain input {\n  tcp dport 1 udp dport 2 accept\n}\n"), 2u);
  EXPECT_EQ(error_line("chain input {\n  oif wan accept\n}\n"), 2u);
  EXPECT_EQ(error_line("nat {\n  iif wan tcp dport 80 dnat to 10.0.0.0/24\n}\n"), 2u);
  EXPECT_EQ(error_line("chain input {\n  tcp dport 1 counter a accept\n  tcp dport 2 counter a accept\n}\n"), 3u);
  EXPECT_EQ(error_line("\nchain input {\n  tcp dport 1 accept\n"), 2u); // the chain that is not closed
  EXPECT_NE(error_text("chain input {\n  tcp dport 1 accept\n").find("no closing }"), std::string::npos);
}

// A home router: links a and b bridged as "lan", w the uplink.
TEST(rules_file, a_bridges_name_stands_for_every_member_and_a_members_for_itself) {
  const std::vector<std::string> home{"a", "b", "w"};
  const std::vector<etherbeam::actors::link_group> bridges{{"lan", {0, 1}}};
  auto rules = parse_rules(R"(chain forward policy drop {
  iif lan oif w accept
  iif b tcp dport 22 drop
}
nat {
  oif w masquerade
  iif w tcp dport 8080 dnat to 10.1.0.5:80
}
)", home, bridges);
  const auto& lan_out = rules->forward().rules[0];
  packet_facts facts;
  rule_input from_a{0, 2, &facts}, from_b{1, 2, &facts}, from_w{2, 0, &facts};
  EXPECT_TRUE(matches(lan_out, from_a));
  EXPECT_TRUE(matches(lan_out, from_b));
  EXPECT_FALSE(matches(lan_out, from_w));
  const auto& port_b = rules->forward().rules[1];
  EXPECT_EQ(port_b.in_link->links, std::vector<etherbeam::actors::link_index>{1});
  auto unknown = [&](const std::string& text) {
    try {
      parse_rules(text, home, bridges);
    } catch (const rules_error& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  EXPECT_NE(unknown("chain forward {\n  iif br0 accept\n}\n").find("the links served: a, b, w, lan (a bridge)"),
            std::string::npos);
}
