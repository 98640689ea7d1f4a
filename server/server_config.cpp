#include "server/server_config.hpp"

#include "apps/dhcp/dhcp_config_file.hpp"
#include "server/config_reading.hpp"

namespace etherbeam::server {

using toml_reading::at;
using toml_reading::require;


namespace {

// [apps]: enable = [...], disable = [...], and a table per application.
void load_app_settings(const toml::node& node, const std::filesystem::path& file, server_config& into) {
  auto* apps = node.as_table();
  if (!apps) throw config_error(at(file, node) + ": [apps] must be a table");
  for (auto&& [akey, anode] : *apps) {
    std::string name{akey.str()};
    if (name == "enable" || name == "disable") {
      auto& list = name == "enable" ? into.enabled_apps : into.disabled_apps;
      toml_reading::for_each_item(anode, file, "apps." + name, [&](const toml::node& item, const std::string&) {
        list.push_back(require<std::string>(item, file, "apps." + name, "a list of application names"));
      });
    } else if (auto* table = anode.as_table()) {
      into.app_settings[name] = *table;
    } else {
      throw config_error(at(file, anode) + ": apps." + name +
                         " must be [apps." + name + "] (an application's settings), or enable/disable");
    }
  }
}

} // namespace

void load_config_file(const std::filesystem::path& file, server_config& into) {
  toml::table table;
  try {
    table = toml::parse_file(file.string());
  } catch (const toml::parse_error& e) {
    throw config_error("config " + file.string() + " line " +
                       std::to_string(e.source().begin.line) + ": " + std::string(e.description()));
  }
  for (auto&& [key, node] : table) {
    std::string k{key.str()};
    if (k == "socket_dir") into.socket_dir = require<std::string>(node, file, k, "a path string");
    else if (k == "frames_socket") into.frames_socket = require<std::string>(node, file, k, "a path string");
    else if (k == "replies_socket") into.replies_socket = require<std::string>(node, file, k, "a path string");
    else if (k == "log_level") into.log_level = require<std::string>(node, file, k, "a string");
    else if (k == "user") into.user = require<std::string>(node, file, k, "a user name");
    else if (k == "socket_group") into.socket_group = require<std::string>(node, file, k, "a group name");
    else if (k == "binder_user") into.binder_user = require<std::string>(node, file, k, "a user name");
    else if (k == "allow_fault_injection")
      into.allow_fault_injection = require<bool>(node, file, k, "true or false");
    else if (k == "max_frames_in_flight" || k == "max_dhcp_backlog") {
      auto limit = require<std::int64_t>(node, file, k, "a positive integer");
      if (limit < 1) throw config_error(at(file, node) + ": " + k + " must be at least 1");
      (k == "max_frames_in_flight" ? into.limits.frames_in_flight : into.limits.dhcp_backlog) = limit;
    }
    else if (k == "concurrency_model") {
      auto text = require<std::string>(node, file, k, "per-frame, per-protocol or inline");
      auto model = actors::parse_concurrency_model(text);
      if (!model) throw config_error(at(file, node) + ": concurrency_model '" + text +
                                     "' is none of per-frame, per-protocol, inline");
      into.model = *model;
    } else if (k == "workers" || k == "io_batch") {
      auto n = require<std::int64_t>(node, file, k, "a positive integer");
      if (n < 1 || n > 4096) throw config_error(at(file, node) + ": " + k + " must be between 1 and 4096");
      if (k == "workers") into.workers = static_cast<std::size_t>(n);
      else into.io_batch = static_cast<int>(n);
    }
    else if (k == "scheduler_threads")
      into.scheduler_threads = static_cast<std::size_t>(require<std::int64_t>(node, file, k, "an integer"));
    else if (k == "stack") {
      auto* stack = node.as_table();
      if (!stack) throw config_error(at(file, node) + ": [stack] must be a table");
      for (auto&& [skey, snode] : *stack) {
        std::string sk = "stack." + std::string(skey.str());
        if (sk == "stack.addresses") {
          into.identity.addresses.clear();
          toml_reading::for_each_item(snode, file, sk, [&](const toml::node& item, const std::string& where) {
            into.identity.addresses.push_back(
              parse_owned_address(require<std::string>(item, file, sk, "a string"), where));
          });
        } else if (sk == "stack.mac") {
          into.identity.mac = parse_mac(require<std::string>(snode, file, sk, "a string"),
                                        at(file, snode) + ": " + sk);
        } else if (sk == "stack.answer_broadcast_ping") {
          into.identity.answer_broadcast_ping = require<bool>(snode, file, sk, "true or false");
        } else {
          throw config_error(at(file, snode) + ": unknown setting " + sk);
        }
      }
    } else if (k == "apps") {
      load_app_settings(node, file, into);
    } else if (k == "dhcp") {
      auto* dhcp = node.as_table();
      if (!dhcp) throw config_error(at(file, node) + ": [dhcp] must be a table");
      load_dhcp_settings(*dhcp, file, into.dhcp);
    } else {
      throw config_error(at(file, node) + ": unknown setting " + k);
    }
  }
}

void validate(const server_config& config) {
  if (config.identity.addresses.empty())
    throw config_error("no address to serve: give at least one --ip ADDR/PREFIX "
                       "(or stack.addresses in the config file)");
  auto& a = config.identity.addresses;
  for (std::size_t i = 0; i < a.size(); ++i)
    for (std::size_t j = i + 1; j < a.size(); ++j)
      if (a[i].address == a[j].address)
        throw config_error("address " + a[i].address.to_string() + " is given twice");
  validate(config.dhcp);
  static const char* levels[] = {"trace", "debug", "info", "warn", "error", "off"};
  bool known = false;
  for (auto* l : levels) known |= config.log_level == l;
  if (!known)
    throw config_error("log level '" + config.log_level +
                       "' is not one of trace, debug, info, warn, error, off");
}

} // namespace etherbeam::server
