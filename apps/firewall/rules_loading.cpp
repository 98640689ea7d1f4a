#include "apps/firewall/rules_loading.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "apps/firewall/rules_file.hpp"

namespace etherbeam::apps::firewall {

std::shared_ptr<const rule_set> read_rules_file(const std::string& path, const rule_link_names& names) {
  std::ifstream file(path);
  if (!file) throw rules_file_error("cannot read " + path + ": " + std::strerror(errno));
  std::stringstream text;
  text << file.rdbuf();
  try {
    return parse_rules(text.str(), names.links, names.bridges);
  } catch (const rules_error& e) {
    throw rules_file_error(path + " " + e.what());
  }
}

std::string counters_report(const rule_set& rules, std::size_t flows, std::size_t capacity) {
  std::ostringstream out;
  rules.for_each_counter([&](const std::string& name, std::uint64_t packets, std::uint64_t bytes) {
    out << name << " packets " << packets << " bytes " << bytes << "\n";
  });
  out << "flows " << flows << " of " << capacity << "\n";
  return out.str();
}

} // namespace etherbeam::apps::firewall
