#pragma once
// Who owns the firewall's flows: the concurrency experiment of the
// appliance, chosen at start with [apps.router] flow_model (or --flow-model).
//   locked:   one flow table for all, behind a lock; packets are judged
//             where their frame is decided (firewall/packet_filter.hpp).
//   sharded:  a few long-lived shard actors, each owning a flow table; a
//             packet goes to the shard its flow hashes to (the hash is the
//             same both ways, and masquerade picks ports whose answers hash
//             to the same shard, as VPP's NAT gives each worker its ports).
//   per-flow: the BEAM way: an actor per flow, holding its state, its
//             timer and its NAT; a directory finds it by either tuple, and
//             one opener actor judges new flows and spawns their actors.
// Whichever model, the decision is firewall::judge's, and the actor gives the
// frame back to the frame path (actors/reinjection.hpp) once it is judged.
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "actors/reinjection.hpp"
#include "apps/firewall/flow_judge.hpp"
#include "apps/router/netfilter_stage.hpp"
#include "supervision/supervisor.hpp"

namespace caf {
class actor_system;
class blocking_actor;
}

namespace etherbeam::apps::router {

enum class flow_model : std::uint8_t { locked, sharded, per_flow };
std::optional<flow_model> parse_flow_model(std::string_view text);
std::string_view to_string(flow_model m);

struct flow_actors_settings {
  flow_model model = flow_model::sharded;
  std::size_t shards = 2;
  firewall::flow_table::settings table;
};

// The actors of the sharded or per-flow model, and how the router reaches them.
struct flow_owners {
  netfilter_stage::hand_off_fn hand_off; // for the stage
  std::vector<supervision::child_spec> children;
  std::function<std::size_t()> flows;
  // `etherbeam conntrack`: asks every owner for its flows (from the control
  // socket's blocking actor).
  std::function<std::string(caf::blocking_actor* self)> list;
  // Once the stage exists (it needs hand_off first): what the actors judge with.
  std::function<void(std::shared_ptr<const netfilter_stage>)> set_stage;
};

flow_owners make_flow_owners(caf::actor_system& system, const flow_actors_settings& settings,
                             std::shared_ptr<firewall::rules_in_force> rules,
                             std::shared_ptr<const actors::link_directory> links,
                             std::shared_ptr<actors::frame_reinjection> reinjection);

} // namespace etherbeam::apps::router
