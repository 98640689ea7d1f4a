#pragma once
// What the sharded and per-flow models of flow_actors.hpp share: the messages
// their actors take, what they judge with, and how a judged frame goes back
// to the frame path. Internal to apps/router.
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/atom.hpp>
#include <caf/fwd.hpp>

#include "actors/frame.hpp"
#include "actors/link_directory.hpp"
#include "apps/firewall/flow_judge.hpp"
#include "apps/router/flow_actors.hpp"

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(etherbeam::apps::firewall::flow_tuple)

namespace etherbeam::apps::router::flow_owning {

using judge_frame_atom = caf::atom_constant<caf::atom("judgeframe")>;
using list_flows_atom = caf::atom_constant<caf::atom("listflows")>;
using sweep_atom = caf::atom_constant<caf::atom("fwsweep")>;

constexpr auto sweep_interval = std::chrono::seconds(1);
constexpr auto list_timeout = std::chrono::seconds(1);

// What every flow owner judges with and answers through.
struct owner_parts {
  std::shared_ptr<firewall::rules_in_force> rules;
  std::shared_ptr<const actors::link_directory> links;
  std::shared_ptr<actors::frame_reinjection> reinjection;
  std::shared_ptr<const netfilter_stage> stage; // set before frames flow
};

// Judges a frame the stage handed off, then gives it back to the frame path
// (or counts what the firewall made of it).
void judge_and_finish(const owner_parts& p, actors::link_index link, const actors::frame& f,
                      const netfilter_stage::judge_fn& judge, caf::execution_unit* here);

// `etherbeam conntrack`: each owner's flows, asked in turn.
std::string ask_for_flows(caf::blocking_actor* self, const std::vector<caf::actor>& owners);

// Hands a frame to the actor registered as `name`; false when there is none.
using forward_fn = std::function<bool(caf::atom_value name, const actors::inbound_frame& in)>;

// The per-flow model (per_flow_actors.cpp): its opener as a child, and how the
// stage reaches a flow's actor.
void add_per_flow_owners(flow_owners& owners, const firewall::flow_table::settings& table,
                         std::shared_ptr<owner_parts> parts, const forward_fn& forward);

} // namespace etherbeam::apps::router::flow_owning
