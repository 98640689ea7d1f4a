#include "server/applications.hpp"

#include <algorithm>

namespace etherbeam::server {

namespace {

// A function-local static: entries are added from other translation units'
// static initialisers, in an order C++ does not fix.
std::vector<application_entry>& catalog() {
  static std::vector<application_entry> entries;
  return entries;
}

} // namespace

bool add_application(application_entry entry) {
  catalog().push_back(std::move(entry));
  return true;
}

std::vector<const application_entry*> applications() {
  std::vector<const application_entry*> all;
  for (const auto& e : catalog()) all.push_back(&e);
  std::sort(all.begin(), all.end(), [](auto* a, auto* b) { return a->name < b->name; });
  return all;
}

void validate_application_names(const server_config& config) {
  std::string known;
  for (const auto* e : applications()) known += (known.empty() ? "" : ", ") + e->name;
  auto check = [&](const std::string& name, const char* where) {
    for (const auto* e : applications())
      if (e->name == name) return;
    throw config_error(std::string(where) + ": no application '" + name + "' (compiled in: " + known + ")");
  };
  for (const auto& n : config.enabled_apps) check(n, "--app / apps.enable");
  for (const auto& n : config.disabled_apps) check(n, "--no-app / apps.disable");
  for (const auto& [n, table] : config.app_settings) check(n, "[apps.NAME]");
}

bool enabled(const application_entry& entry, const server_config& config) {
  auto named = [&](const std::vector<std::string>& list) {
    return std::find(list.begin(), list.end(), entry.name) != list.end();
  };
  if (named(config.disabled_apps)) return false;
  return entry.on_by_default || named(config.enabled_apps);
}

} // namespace etherbeam::server
