#include "apps/router/flow_actors.hpp"

#include <algorithm>

#include <caf/actor_cast.hpp>
#include <caf/actor_system.hpp>
#include <caf/blocking_actor.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/stateful_actor.hpp>

#include "actors/messages.hpp"
#include "actors/registered_name.hpp"
#include "actors/tell.hpp"
#include "apps/firewall/packet_filter.hpp"
#include "apps/firewall/shard_store.hpp"
#include "apps/router/flow_owner_parts.hpp"
#include "protocols/ethernet.hpp"

namespace etherbeam::apps::router {

namespace fw = firewall;
using actors::link_index;
using namespace flow_owning;

namespace flow_owning {

void judge_and_finish(const owner_parts& p, link_index link, const actors::frame& f,
                      const netfilter_stage::judge_fn& judge, caf::execution_unit* here) {
  auto checked = protocols::ethernet_frame::check(f.bytes());
  if (!checked || !p.stage) return; // checked before the hand-off
  auto eth = protocols::ethernet_repr::parse(*checked);
  auto me = p.links->identity(link);
  actors::inbound_frame in;
  in.bytes = f.bytes();
  in.ethernet = &eth;
  in.ethernet_payload = checked->payload();
  in.me = me.get();
  in.here = here;
  in.link = link;
  actors::frame reply{std::max(f.size(), actors::min_reply_room)};
  auto v = p.stage->judge_and_act(in, judge, reply.bytes());
  if (v.outcome == actors::verdict::kind::pass) p.reinjection->resume(link, f, p.stage.get(), here);
  else p.reinjection->finish(link, v, std::move(reply), here);
}

std::string ask_for_flows(caf::blocking_actor* self, const std::vector<caf::actor>& owners) {
  std::string out;
  for (const auto& owner : owners)
    self->request(owner, list_timeout, list_flows_atom::value)
      .receive([&](const std::string& flows) { out += flows; }, [](const caf::error&) {});
  return out;
}

} // namespace flow_owning

// The sharded model: a few shard actors, each owning a flow table.
namespace {

caf::atom_value shard_name(std::size_t i) { return caf::atom_from_string("fwshard" + std::to_string(i)); }

struct shard_state {
  std::unique_ptr<fw::flow_table> table;
  static inline const char* name = "firewall_shard";
};

caf::behavior flow_shard(caf::stateful_actor<shard_state>* self, std::size_t me, std::shared_ptr<fw::shard_map> map,
                         std::shared_ptr<const owner_parts> parts, fw::flow_table::settings settings) {
  self->state.table = std::make_unique<fw::flow_table>(settings);
  map->publish(me, 0);
  self->delayed_send(self, sweep_interval, sweep_atom::value);
  return {
    [=](judge_frame_atom, link_index link, const actors::frame& f) {
      auto& table = *self->state.table;
      auto rules = parts->rules->get();
      judge_and_finish(
        *parts, link, f,
        [&](const fw::judged_packet& p) {
          fw::shard_store store(table, *map, me);
          return fw::judge(store, *rules, p);
        },
        self->context());
      map->publish(me, table.size());
    },
    [=](sweep_atom) {
      auto& table = *self->state.table;
      auto now = fw::clock::now();
      table.expire(now);
      map->forget(me, [&](const fw::flow_tuple& t) { return table.free(t, now); });
      map->publish(me, table.size());
      self->delayed_send(self, sweep_interval, sweep_atom::value);
    },
    [=](list_flows_atom) {
      std::string out;
      auto now = fw::clock::now();
      self->state.table->for_each([&](const fw::flow_entry& e) {
        if (e.expires > now) out += fw::describe_flow(e, now);
      });
      return out;
    },
  };
}

} // namespace

std::optional<flow_model> parse_flow_model(std::string_view text) {
  if (text == "locked") return flow_model::locked;
  if (text == "sharded") return flow_model::sharded;
  if (text == "per-flow") return flow_model::per_flow;
  return std::nullopt;
}

std::string_view to_string(flow_model m) {
  switch (m) {
    case flow_model::locked: return "locked";
    case flow_model::sharded: return "sharded";
    case flow_model::per_flow: return "per-flow";
  }
  return "?";
}

flow_owners make_flow_owners(caf::actor_system& system, const flow_actors_settings& settings,
                             std::shared_ptr<fw::rules_in_force> rules,
                             std::shared_ptr<const actors::link_directory> links,
                             std::shared_ptr<actors::frame_reinjection> reinjection) {
  auto parts = std::make_shared<owner_parts>(owner_parts{std::move(rules), std::move(links), std::move(reinjection), {}});
  auto* sys = &system;
  flow_owners owners;
  owners.set_stage = [parts](std::shared_ptr<const netfilter_stage> stage) { parts->stage = std::move(stage); };
  auto forward = [sys](caf::atom_value name, const actors::inbound_frame& in) {
    auto owner = sys->registry().get(name);
    if (!owner) return false;
    actors::tell(in.here, caf::actor_cast<caf::actor>(owner), judge_frame_atom::value, in.link,
                 actors::frame{in.bytes});
    return true;
  };
  if (settings.model == flow_model::sharded) {
    auto map = std::make_shared<fw::shard_map>(settings.shards);
    auto per_shard = settings.table;
    per_shard.max_flows = std::max<std::size_t>(1, (settings.table.max_flows + settings.shards - 1) / settings.shards);
    for (std::size_t i = 0; i < settings.shards; ++i)
      owners.children.push_back({"firewall_shard" + std::to_string(i), [=](caf::actor_system& s) {
                                   auto a = s.spawn(flow_shard, i, map, std::shared_ptr<const owner_parts>(parts),
                                                    per_shard);
                                   actors::register_as(s, shard_name(i), a);
                                   return a;
                                 }});
    owners.hand_off = [map, forward](const fw::packet_facts& facts, const actors::inbound_frame& in) {
      return forward(shard_name(map->owner(fw::lookup_tuple(facts))), in);
    };
    owners.flows = [map] { return map->flows(); };
    owners.list = [n = settings.shards, sys](caf::blocking_actor* self) {
      std::vector<caf::actor> shards;
      for (std::size_t i = 0; i < n; ++i)
        if (auto a = sys->registry().get(shard_name(i))) shards.push_back(caf::actor_cast<caf::actor>(a));
      return ask_for_flows(self, shards);
    };
  } else {
    add_per_flow_owners(owners, settings.table, parts, forward);
  }
  return owners;
}

} // namespace etherbeam::apps::router
