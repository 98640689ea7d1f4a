#include "actors/server_config.hpp"

#include "actors/dhcp_config_file.hpp"
#include "actors/toml_reading.hpp"

namespace etherbeam::actors {

using toml_reading::at;
using toml_reading::require;

protocols::ipv4_interface parse_owned_address(const std::string& text, const std::string& where) {
  auto a = protocols::ipv4_interface::from_string(text);
  if (!a)
    throw config_error(where + ": '" + text + "' is not an IPv4 address with a prefix length " +
                       "(write it like 10.0.0.2/24)");
  if (a->address.is_unspecified() || a->address.is_multicast() || a->address.is_limited_broadcast())
    throw config_error(where + ": " + text + " cannot be owned by a host");
  return *a;
}

protocols::mac_address parse_mac(const std::string& text, const std::string& where) {
  auto m = protocols::mac_address::from_string(text);
  if (!m) throw config_error(where + ": '" + text + "' is not a MAC address (write it like 02:00:00:00:00:01)");
  if (m->is_group() || m->is_zero())
    throw config_error(where + ": " + text + " is a group or zero address; a host MAC must be unicast");
  return *m;
}

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
      auto model = parse_concurrency_model(text);
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

} // namespace etherbeam::actors
