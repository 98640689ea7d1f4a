#pragma once
// The router's routes: connected routes from each link's addresses, static
// routes ("10.99.0.0/16 via 10.88.0.5") and a default ("default via
// 10.88.0.254"), each static route's link found from the connected route its
// gateway lies in. A lookup takes the longest matching prefix; among routes of
// equal length, connected ones come first, then the order given. Pure.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "actors/link_index.hpp"
#include "protocols/addresses.hpp"

namespace etherbeam::apps::router {

struct route {
  protocols::ipv4_address network; // masked to its prefix
  std::uint8_t prefix_length = 0;
  std::optional<protocols::ipv4_address> gateway; // none: connected, the destination itself is the next hop
  actors::link_index link = 0;
  bool contains(protocols::ipv4_address a) const;
  std::string to_string(const std::vector<std::string>& link_names) const;
};

// A static route as written, before its link is known.
struct static_route {
  protocols::ipv4_address network;
  std::uint8_t prefix_length = 0;
  protocols::ipv4_address gateway;
};

// Parses "PREFIX via GATEWAY" or "default via GATEWAY"; on failure, says why.
std::optional<static_route> parse_static_route(std::string_view text, std::string& why);

struct next_hop {
  actors::link_index link = 0;
  protocols::ipv4_address address; // whom to ARP for: the gateway, or the destination on a connected route
};

class route_table {
public:
  // `link_addresses[i]`: the addresses owned on link i. Throws
  // std::invalid_argument naming the route when a gateway lies on no link's
  // subnet, or is one of our own addresses.
  route_table(const std::vector<std::vector<protocols::ipv4_interface>>& link_addresses,
              const std::vector<static_route>& statics);

  std::optional<next_hop> lookup(protocols::ipv4_address destination) const;
  const std::vector<route>& routes() const { return routes_; } // longest prefix first

private:
  std::vector<route> routes_;
};

} // namespace etherbeam::apps::router
