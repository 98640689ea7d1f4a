#pragma once
// The router's firewall as etherbeam runs it: the rules file read (and read
// again on SIGHUP), the netfilter stage with the flow model chosen, and the
// control commands `firewall`, `conntrack` and `trace`.
#include <memory>
#include <string>

#include "apps/router/flow_actors.hpp"
#include "apps/router/route_table.hpp"
#include "apps/router/router_deciders.hpp"
#include "server/applications.hpp"

namespace etherbeam::apps::router {

struct firewall_settings {
  std::string rules; // a rules file; empty: no firewall, no NAT
  std::size_t max_flows = 65536;
  flow_model model = flow_model::locked;
  std::size_t shards = 0; // the sharded model's actors; 0: one per scheduler thread
};

// Reads [apps.router]'s firewall, max_flows, flow_model and flow_shards;
// false for any other key.
bool read_firewall_setting(firewall_settings& s, const std::string& key, const toml::node& node);

void add_firewall(server::running_application& app, const server::application_start& start,
                  const firewall_settings& settings, std::shared_ptr<const route_table> routes,
                  std::shared_ptr<const forwarding_decider> forwarding);

} // namespace etherbeam::apps::router
