#include "apps/router/route_table.hpp"

#include <algorithm>
#include <charconv>
#include <stdexcept>

namespace etherbeam::apps::router {

namespace {

std::uint32_t mask_of(std::uint8_t prefix_length) {
  return prefix_length == 0 ? 0 : ~std::uint32_t{0} << (32 - prefix_length);
}

std::optional<std::pair<protocols::ipv4_address, std::uint8_t>> parse_prefix(std::string_view text) {
  if (text == "default") return std::pair{protocols::ipv4_address{}, std::uint8_t{0}};
  auto slash = text.find('/');
  auto address = protocols::ipv4_address::from_string(text.substr(0, slash));
  if (!address) return std::nullopt;
  unsigned length = 32;
  if (slash != std::string_view::npos) {
    auto digits = text.substr(slash + 1);
    auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), length);
    if (error != std::errc{} || end != digits.data() + digits.size() || length > 32) return std::nullopt;
  }
  auto prefix = static_cast<std::uint8_t>(length);
  return std::pair{protocols::ipv4_address{address->value & mask_of(prefix)}, prefix};
}

std::vector<std::string_view> words_of(std::string_view text) {
  std::vector<std::string_view> words;
  while (!text.empty()) {
    auto start = text.find_first_not_of(" \t");
    if (start == std::string_view::npos) break;
    text.remove_prefix(start);
    auto end = text.find_first_of(" \t");
    words.push_back(text.substr(0, end));
    text.remove_prefix(end == std::string_view::npos ? text.size() : end);
  }
  return words;
}

} // namespace

bool route::contains(protocols::ipv4_address a) const {
  return (a.value & mask_of(prefix_length)) == network.value;
}

std::string route::to_string(const std::vector<std::string>& link_names) const {
  std::string text = prefix_length == 0 ? "default" : network.to_string() + "/" + std::to_string(prefix_length);
  if (gateway) text += " via " + gateway->to_string();
  text += " dev " + (link < link_names.size() ? link_names[link] : std::to_string(link));
  return text;
}

std::optional<static_route> parse_static_route(std::string_view text, std::string& why) {
  auto words = words_of(text);
  if (words.size() != 3 || words[1] != "via") {
    why = "expected \"PREFIX via GATEWAY\" or \"default via GATEWAY\"";
    return std::nullopt;
  }
  auto prefix = parse_prefix(words[0]);
  if (!prefix) {
    why = "\"" + std::string(words[0]) + "\" is not a prefix such as 10.99.0.0/16 or default";
    return std::nullopt;
  }
  auto gateway = protocols::ipv4_address::from_string(words[2]);
  if (!gateway) {
    why = "\"" + std::string(words[2]) + "\" is not an IPv4 address";
    return std::nullopt;
  }
  return static_route{prefix->first, prefix->second, *gateway};
}

route_table::route_table(const std::vector<std::vector<protocols::ipv4_interface>>& link_addresses,
                         const std::vector<static_route>& statics) {
  for (actors::link_index link = 0; link < link_addresses.size(); ++link)
    for (const auto& a : link_addresses[link]) {
      route connected{{a.address.value & mask_of(a.prefix_length)}, a.prefix_length, std::nullopt, link};
      bool known = std::any_of(routes_.begin(), routes_.end(), [&](const route& r) {
        return r.network == connected.network && r.prefix_length == connected.prefix_length;
      });
      if (!known) routes_.push_back(connected);
    }
  std::size_t connected_count = routes_.size();
  for (const auto& s : statics) {
    std::string named = (s.prefix_length == 0 ? std::string("default")
                                              : s.network.to_string() + "/" + std::to_string(s.prefix_length)) +
                        " via " + s.gateway.to_string();
    for (const auto& addresses : link_addresses)
      for (const auto& a : addresses)
        if (a.address == s.gateway)
          throw std::invalid_argument("route \"" + named + "\": the gateway is one of etherbeam's own addresses; "
                                      "give the next router's address");
    auto on = std::find_if(routes_.begin(), routes_.begin() + static_cast<std::ptrdiff_t>(connected_count),
                           [&](const route& r) { return r.contains(s.gateway); });
    if (on == routes_.begin() + static_cast<std::ptrdiff_t>(connected_count))
      throw std::invalid_argument("route \"" + named + "\": the gateway is on no link's subnet; give a gateway "
                                  "reachable directly on one of the links");
    routes_.push_back({s.network, s.prefix_length, s.gateway, on->link});
  }
  // Longest prefix first; stable, so connected routes (added first) and then
  // the order given win among equal lengths.
  std::stable_sort(routes_.begin(), routes_.end(),
                   [](const route& a, const route& b) { return a.prefix_length > b.prefix_length; });
}

std::optional<next_hop> route_table::lookup(protocols::ipv4_address destination) const {
  // Linear: a lab router holds tens of routes, and the scan is a few compares
  // each. A table of thousands would want a trie.
  for (const auto& r : routes_)
    if (r.contains(destination)) return next_hop{r.link, r.gateway.value_or(destination)};
  return std::nullopt;
}

} // namespace etherbeam::apps::router
