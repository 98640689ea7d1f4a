#pragma once
// The firewall's rules file, in a small subset of nftables' syntax:
//
//   set trusted { 10.0.0.0/8, 192.168.1.5 }
//
//   chain input policy accept {
//     ct state established,related accept
//     ip saddr @trusted tcp dport 22 accept
//     tcp dport 1-1023 reject
//   }
//   chain forward policy drop {
//     ct state established,related accept
//     ct state invalid drop
//     iif lan oif wan accept
//     iif wan ip daddr 10.1.0.5 tcp dport 80 counter web accept
//   }
//   nat {
//     oif wan masquerade
//     iif wan tcp dport 8080 dnat to 10.1.0.5:80
//   }
//
// One rule per line; `#` starts a comment. docs/firewall.md lists every word.
// Pure: the text in, a rule set or the line and what is wrong with it out.
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "apps/firewall/rule_set.hpp"

namespace etherbeam::apps::firewall {

struct rules_error : std::runtime_error {
  rules_error(std::size_t line, const std::string& what)
      : std::runtime_error("line " + std::to_string(line) + ": " + what), line(line) {}
  std::size_t line;
};

// `links`: the names of the links served, in link_index order (iif, oif);
// `groups`: names that stand for several links (a bridge's).
// Throws rules_error naming the first line that is wrong.
std::shared_ptr<const rule_set> parse_rules(std::string_view text, const std::vector<std::string>& links,
                                            const std::vector<actors::link_group>& groups = {});

} // namespace etherbeam::apps::firewall
