#include "server/server_config.hpp"

#include "apps/dhcp/dhcp_config_file.hpp"
#include "ipc/socket_pair.hpp"
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

// One [[link]] table.
link_config load_link(const toml::table& table, const std::filesystem::path& file, const std::string& where) {
  link_config link;
  bool has_addresses = false;
  for (auto&& [lkey, lnode] : table) {
    std::string k = std::string(lkey.str());
    std::string key = "link." + k;
    if (k == "name") link.name = require<std::string>(lnode, file, key, "a string");
    else if (k == "socket_dir") link.socket_dir = require<std::string>(lnode, file, key, "a path string");
    else if (k == "frames_socket") link.frames_socket = require<std::string>(lnode, file, key, "a path string");
    else if (k == "replies_socket") link.replies_socket = require<std::string>(lnode, file, key, "a path string");
    else if (k == "addresses") {
      has_addresses = true;
      toml_reading::for_each_item(lnode, file, key, [&](const toml::node& item, const std::string& at_item) {
        link.identity.addresses.push_back(
          parse_owned_address(require<std::string>(item, file, key, "a string"), at_item));
      });
    } else if (k == "mac") {
      link.identity.mac = parse_mac(require<std::string>(lnode, file, key, "a string"), at(file, lnode) + ": " + key);
    } else if (k == "mtu") {
      link.identity.mtu = parse_mtu(require<std::int64_t>(lnode, file, key, "an integer"), at(file, lnode) + ": " + key);
    } else {
      throw config_error(at(file, lnode) + ": unknown setting " + key +
                         " (known: name, socket_dir, frames_socket, replies_socket, addresses, mac, mtu)");
    }
  }
  if (link.name.empty()) throw config_error(where + ": a link needs a name, e.g. name = \"lan\"");
  if (link.socket_dir.empty())
    throw config_error(where + ": link " + link.name + " needs a socket_dir (its raw_binder's --socket-dir)");
  if (!has_addresses)
    throw config_error(where + ": link " + link.name +
                       " needs addresses = [\"ADDR/PREFIX\", ...] (or addresses = [] for a link etherbeam only "
                       "bridges, with no address of its own there)");
  return link;
}

} // namespace

std::vector<link_config> served_links(const server_config& config) {
  if (!config.links.empty()) {
    auto links = config.links;
    for (std::size_t i = 0; i < links.size(); ++i) {
      links[i].identity.answer_broadcast_ping = config.identity.answer_broadcast_ping;
      for (std::size_t other = 0; other < links.size(); ++other)
        if (other != i)
          for (const auto& a : config.links[other].identity.addresses) links[i].identity.owned_elsewhere.push_back(a.address);
    }
    return links;
  }
  return {link_config{"main", config.socket_dir, config.frames_socket, config.replies_socket, config.identity}};
}

std::vector<protocols::ipv4_interface> owned_addresses(const server_config& config) {
  std::vector<protocols::ipv4_interface> all;
  for (const auto& l : served_links(config))
    all.insert(all.end(), l.identity.addresses.begin(), l.identity.addresses.end());
  return all;
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
    else if (k == "metrics_file")
      into.metrics_file = require<std::string>(node, file, k, "a path string");
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
    } else if (k == "busy_poll_us") {
      auto n = require<std::int64_t>(node, file, k, "microseconds, 0 to 1000");
      if (n < 0 || n > 1000) throw config_error(at(file, node) + ": busy_poll_us must be between 0 and 1000");
      into.busy_poll_us = static_cast<int>(n);
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
        } else if (sk == "stack.mtu") {
          into.identity.mtu = parse_mtu(require<std::int64_t>(snode, file, sk, "an integer"), at(file, snode) + ": " + sk);
        } else if (sk == "stack.answer_broadcast_ping") {
          into.identity.answer_broadcast_ping = require<bool>(snode, file, sk, "true or false");
        } else {
          throw config_error(at(file, snode) + ": unknown setting " + sk);
        }
      }
    } else if (k == "link") {
      auto* list = node.as_array();
      if (!list) throw config_error(at(file, node) + ": links are written [[link]], one table each");
      for (std::size_t i = 0; i < list->size(); ++i) {
        auto* table = list->get(i)->as_table();
        if (!table) throw config_error(at(file, *list->get(i)) + ": each [[link]] must be a table");
        into.links.push_back(load_link(*table, file, at(file, *list->get(i)) + ": link[" + std::to_string(i) + "]"));
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
  if (!config.links.empty()) {
    if (!config.identity.addresses.empty() || config.identity.mac || !config.frames_socket.empty() ||
        !config.replies_socket.empty())
      throw config_error("[[link]] tables and the one-link shorthand (--ip, --mac, --frames-socket, "
                         "--replies-socket, stack.addresses, stack.mac) cannot be mixed: give addresses "
                         "and sockets in each [[link]]");
    auto& l = config.links;
    for (std::size_t i = 0; i < l.size(); ++i)
      for (std::size_t j = i + 1; j < l.size(); ++j) {
        if (l[i].name == l[j].name) throw config_error("two links are named " + l[i].name);
        ipc::socket_paths a{l[i].socket_dir, l[i].frames_socket, l[i].replies_socket};
        ipc::socket_paths b{l[j].socket_dir, l[j].frames_socket, l[j].replies_socket};
        if (a.logic_server() == b.logic_server() || a.binder() == b.binder())
          throw config_error("links " + l[i].name + " and " + l[j].name +
                             " share a socket: each link needs a raw_binder and a socket_dir of its own");
      }
  } else if (config.identity.addresses.empty()) {
    throw config_error("no address to serve: give at least one --ip ADDR/PREFIX "
                       "(or stack.addresses, or [[link]] tables, in the config file)");
  }
  auto a = owned_addresses(config);
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
