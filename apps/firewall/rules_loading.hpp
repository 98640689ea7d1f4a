#pragma once
// The rules as the applications that run a firewall (the router, the
// bridge) load and show them: read from a file, and their counters as
// `etherbeam firewall` prints them.
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "apps/firewall/rule_set.hpp"

namespace etherbeam::apps::firewall {

// Why a rules file was not loaded: "cannot read PATH: reason" or "PATH line N: what is wrong".
struct rules_file_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// The names rules may give links: each link's, in link_index order
// (link_directory::names), and the bridges' (link_directory::bridges).
struct rule_link_names {
  std::vector<std::string> links;
  std::vector<actors::link_group> bridges;
};

// Throws rules_file_error.
std::shared_ptr<const rule_set> read_rules_file(const std::string& path, const rule_link_names& names);

// "NAME packets N bytes N" per named counter, then "flows N of CAPACITY".
std::string counters_report(const rule_set& rules, std::size_t flows, std::size_t capacity);

} // namespace etherbeam::apps::firewall
