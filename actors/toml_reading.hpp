#pragma once
// Reading typed values out of a parsed TOML config, with errors that name the
// file, the line and the setting.
#include <filesystem>
#include <string>

#include <toml++/toml.h>

#include "actors/server_config.hpp"

namespace etherbeam::actors::toml_reading {

inline std::string at(const std::filesystem::path& file, const toml::node& node) {
  return "config " + file.string() + " line " + std::to_string(node.source().begin.line);
}

template <class T>
T require(const toml::node& node, const std::filesystem::path& file, const std::string& key,
          const char* expected) {
  auto v = node.value<T>();
  if (!v) throw config_error(at(file, node) + ": " + key + " must be " + expected);
  return *v;
}

// Calls f(item, where) for each element of an array setting.
template <class F>
void for_each_item(const toml::node& node, const std::filesystem::path& file, const std::string& key, F&& f) {
  auto* list = node.as_array();
  if (!list) throw config_error(at(file, node) + ": " + key + " must be a list");
  for (std::size_t i = 0; i < list->size(); ++i) {
    auto& item = *list->get(i);
    f(item, at(file, item) + ": " + key + "[" + std::to_string(i) + "]");
  }
}

} // namespace etherbeam::actors::toml_reading
