#include "apps/router/flow_actors.hpp"

#include <algorithm>
#include <deque>
#include <functional>
#include <mutex>
#include <unordered_map>
#include <unordered_set>

#include <caf/actor_cast.hpp>
#include <caf/actor_system.hpp>
#include <caf/blocking_actor.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/exit_reason.hpp>
#include <caf/stateful_actor.hpp>

#include "actors/messages.hpp"
#include "actors/registered_name.hpp"
#include "actors/tell.hpp"
#include "apps/firewall/packet_filter.hpp"
#include "apps/firewall/shard_store.hpp"
#include "protocols/ethernet.hpp"

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(etherbeam::apps::firewall::flow_tuple)

namespace etherbeam::apps::router {

namespace fw = firewall;
using actors::link_index;

namespace {

using judge_frame_atom = caf::atom_constant<caf::atom("judgeframe")>;
using list_flows_atom = caf::atom_constant<caf::atom("listflows")>;
using sweep_atom = caf::atom_constant<caf::atom("fwsweep")>;
using flow_ended_atom = caf::atom_constant<caf::atom("flowended")>;
using flow_assured_atom = caf::atom_constant<caf::atom("flowassurd")>;

constexpr auto sweep_interval = std::chrono::seconds(1);
constexpr auto list_timeout = std::chrono::seconds(1);

// What every flow owner judges with and answers through.
struct owner_parts {
  std::shared_ptr<fw::rules_in_force> rules;
  std::shared_ptr<const actors::link_directory> links;
  std::shared_ptr<actors::frame_reinjection> reinjection;
  std::shared_ptr<const netfilter_stage> stage; // set before frames flow
};

// Judges a frame the stage handed off, then gives it back to the frame path
// (or counts what the firewall made of it).
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

// ---- sharded ----

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

// ---- per-flow ----

caf::atom_value opener_name() { return caf::atom("flowopener"); }

// Finds a flow's actor by either of its tuples. Written by the opener alone;
// read by every frame that reaches the stage.
class flow_directory {
public:
  caf::actor find(const fw::flow_tuple& t) const {
    std::lock_guard guard(lock_);
    auto it = actors_.find(t);
    return it == actors_.end() ? caf::actor{} : it->second;
  }
  bool has(const fw::flow_tuple& t) const {
    std::lock_guard guard(lock_);
    return actors_.count(t) != 0;
  }
  void add(const fw::flow_entry& e, const caf::actor& a) {
    std::lock_guard guard(lock_);
    actors_[e.original] = a;
    actors_[e.reply] = a;
    flows_.fetch_add(1);
  }
  // Forgets the flow of `a`, if these tuples still name it.
  void remove(const fw::flow_tuple& original, const fw::flow_tuple& reply, const caf::actor_addr& a) {
    std::lock_guard guard(lock_);
    auto it = actors_.find(original);
    if (it == actors_.end() || it->second.address() != a) return;
    actors_.erase(it);
    actors_.erase(reply);
    flows_.fetch_sub(1);
  }
  void clear() {
    std::lock_guard guard(lock_);
    actors_.clear();
    flows_.store(0);
  }
  std::vector<caf::actor> all() const {
    std::lock_guard guard(lock_);
    std::vector<caf::actor> out;
    std::unordered_set<caf::actor_addr> seen;
    for (const auto& [t, a] : actors_)
      if (seen.insert(a.address()).second) out.push_back(a);
    return out;
  }
  std::size_t flows() const { return flows_.load(std::memory_order_relaxed); }

private:
  mutable std::mutex lock_;
  std::unordered_map<fw::flow_tuple, caf::actor, fw::flow_tuple_hash> actors_;
  std::atomic<std::size_t> flows_{0};
};

// One flow's actor's store: the flow itself.
class single_flow_store final : public fw::flow_store {
public:
  single_flow_store(fw::flow_entry& e, const fw::flow_timeouts& timeouts) : e_(e), timeouts_(timeouts) {}
  std::optional<fw::flow_match> find(const fw::flow_tuple& t, fw::clock::time_point now) override {
    if (e_.expires <= now) return std::nullopt;
    if (t == e_.original) return fw::flow_match{0, fw::direction::original};
    if (t == e_.reply) return fw::flow_match{0, fw::direction::reply};
    return std::nullopt;
  }
  const fw::flow_entry& entry(std::uint32_t) const override { return e_; }
  fw::connection_state update(fw::flow_match m, const fw::packet_facts& facts, std::size_t bytes,
                              fw::clock::time_point now) override {
    return fw::advance_flow(e_, m.dir, facts, bytes, now, timeouts_);
  }
  std::optional<fw::added_flow> add(const fw::flow_tuple&, const fw::flow_tuple&, bool,
                                    fw::clock::time_point) override {
    return std::nullopt; // a flow's actor opens no other flow
  }
  bool free(const fw::flow_tuple&, fw::clock::time_point) override { return false; }

private:
  fw::flow_entry& e_;
  const fw::flow_timeouts& timeouts_;
};

// The opener's store: no flow yet; a new one is held until its actor runs.
// When the directory is full, `make_room` ends a flow nobody has answered.
class opening_store final : public fw::flow_store {
public:
  opening_store(const flow_directory& directory, const fw::flow_table::settings& settings,
                std::function<bool()> make_room)
      : directory_(directory), settings_(settings), make_room_(std::move(make_room)) {}
  std::optional<fw::flow_match> find(const fw::flow_tuple&, fw::clock::time_point) override { return std::nullopt; }
  const fw::flow_entry& entry(std::uint32_t) const override { return *opened; }
  fw::connection_state update(fw::flow_match m, const fw::packet_facts& facts, std::size_t bytes,
                              fw::clock::time_point now) override {
    return fw::advance_flow(*opened, m.dir, facts, bytes, now, settings_.timeouts);
  }
  std::optional<fw::added_flow> add(const fw::flow_tuple& original, const fw::flow_tuple& reply, bool to_us,
                                    fw::clock::time_point now) override {
    if (opened || !free(original, now) || !free(reply, now)) return std::nullopt;
    bool made_room = false;
    if (directory_.flows() >= settings_.max_flows) {
      if (!make_room_()) return std::nullopt;
      made_room = true;
    }
    opened = fw::flow_entry{};
    opened->original = original;
    opened->reply = reply;
    opened->to_us = to_us;
    opened->expires = now + settings_.timeouts.udp;
    return fw::added_flow{0, made_room};
  }
  bool free(const fw::flow_tuple& t, fw::clock::time_point) override { return !directory_.has(t); }

  std::optional<fw::flow_entry> opened;

private:
  const flow_directory& directory_;
  const fw::flow_table::settings& settings_;
  std::function<bool()> make_room_;
};

struct flow_state {
  fw::flow_entry entry;
  bool timer_armed = false;
  static inline const char* name = "firewall_flow";
};

void arm_timer(caf::stateful_actor<flow_state>* self) {
  if (self->state.timer_armed) return;
  self->state.timer_armed = true;
  auto left = self->state.entry.expires - fw::clock::now();
  self->delayed_send(self, std::max<fw::clock::duration>(left, std::chrono::milliseconds(1)), sweep_atom::value);
}

caf::behavior flow_actor(caf::stateful_actor<flow_state>* self, fw::flow_entry entry, caf::actor opener,
                         std::shared_ptr<const owner_parts> parts, fw::flow_timeouts timeouts) {
  self->state.entry = entry;
  arm_timer(self);
  return {
    [=](judge_frame_atom, link_index link, const actors::frame& f) {
      auto& e = self->state.entry;
      if (e.expires <= fw::clock::now()) { // judged again as a new flow, by the opener
        self->send(opener, flow_ended_atom::value, e.original, e.reply);
        self->send(opener, judge_frame_atom::value, link, f);
        self->quit();
        return;
      }
      auto rules = parts->rules->get();
      bool was_assured = e.assured;
      judge_and_finish(
        *parts, link, f,
        [&](const fw::judged_packet& p) {
          single_flow_store store(e, timeouts);
          return fw::judge(store, *rules, p);
        },
        self->context());
      if (e.assured && !was_assured) self->send(opener, flow_assured_atom::value);
      arm_timer(self);
    },
    [=](sweep_atom) {
      self->state.timer_armed = false;
      const auto& e = self->state.entry;
      if (e.expires > fw::clock::now()) return arm_timer(self);
      self->send(opener, flow_ended_atom::value, e.original, e.reply);
      self->quit();
    },
    [=](list_flows_atom) { return fw::describe_flow(self->state.entry, fw::clock::now()); },
  };
}

struct opened_flow {
  fw::flow_tuple original, reply;
  bool assured = false;
};

struct opener_state {
  std::unordered_map<caf::actor_addr, opened_flow> flows;
  // Flows in the order they opened, the unanswered ones among them the first a
  // full directory ends (Linux's early drop). Answered and ended ones are
  // skipped when met, and weeded out when they outnumber the live flows.
  std::deque<caf::actor_addr> by_age;
  static inline const char* name = "firewall_flow_opener";
};

// Ends the oldest flow nobody has answered, to make room for a new one.
bool end_an_unanswered_flow(caf::stateful_actor<opener_state>* self, flow_directory& directory) {
  auto& st = self->state;
  while (!st.by_age.empty()) {
    auto addr = st.by_age.front();
    st.by_age.pop_front();
    auto it = st.flows.find(addr);
    if (it == st.flows.end() || it->second.assured) continue;
    directory.remove(it->second.original, it->second.reply, addr);
    // Its exit comes back to the opener's exit handler, which forgets it.
    self->send_exit(addr, caf::exit_reason::user_shutdown);
    return true;
  }
  return false;
}

void remember_age(opener_state& st, const caf::actor_addr& flow) {
  st.by_age.push_back(flow);
  if (st.by_age.size() <= 2 * st.flows.size() + 64) return;
  std::erase_if(st.by_age, [&](const caf::actor_addr& a) {
    auto it = st.flows.find(a);
    return it == st.flows.end() || it->second.assured;
  });
}

caf::behavior flow_opener(caf::stateful_actor<opener_state>* self, std::shared_ptr<flow_directory> directory,
                          std::shared_ptr<const owner_parts> parts, fw::flow_table::settings settings) {
  directory->clear(); // a restarted opener: the flows' actors went with the one before
  // A flow's actor that ends (expired, or a crash) leaves the directory; an
  // exit from anyone else (the supervisor shutting down) ends the opener too.
  self->set_exit_handler([=](caf::exit_msg& m) {
    auto it = self->state.flows.find(m.source);
    if (it == self->state.flows.end()) return self->quit(m.reason);
    directory->remove(it->second.original, it->second.reply, m.source);
    self->state.flows.erase(it);
  });
  return {
    [=](judge_frame_atom, link_index link, const actors::frame& f) {
      // A packet of a flow opened since the stage looked: to that flow's actor.
      auto checked = protocols::ethernet_frame::check(f.bytes());
      if (!checked) return;
      auto packet = protocols::ipv4_packet::check(checked->payload());
      auto facts = packet ? fw::read_packet_facts(*packet) : std::nullopt;
      if (facts)
        if (auto owner = directory->find(fw::lookup_tuple(*facts))) {
          self->send(owner, judge_frame_atom::value, link, f);
          return;
        }
      auto rules = parts->rules->get();
      judge_and_finish(
        *parts, link, f,
        [&](const fw::judged_packet& p) {
          opening_store store(*directory, settings, [&] { return end_an_unanswered_flow(self, *directory); });
          auto d = fw::judge(store, *rules, p);
          if (store.opened) {
            auto flow = self->spawn<caf::linked>(flow_actor, *store.opened, caf::actor_cast<caf::actor>(self), parts,
                                                 settings.timeouts);
            self->state.flows[flow.address()] = {store.opened->original, store.opened->reply, store.opened->assured};
            remember_age(self->state, flow.address());
            directory->add(*store.opened, flow);
          }
          return d;
        },
        self->context());
    },
    [=](flow_ended_atom, const fw::flow_tuple& original, const fw::flow_tuple& reply) {
      auto from = self->current_sender();
      directory->remove(original, reply, caf::actor_cast<caf::actor_addr>(from));
    },
    [=](flow_assured_atom) {
      auto it = self->state.flows.find(caf::actor_cast<caf::actor_addr>(self->current_sender()));
      if (it != self->state.flows.end()) it->second.assured = true;
    },
  };
}

std::string ask_for_flows(caf::blocking_actor* self, const std::vector<caf::actor>& owners) {
  std::string out;
  for (const auto& owner : owners)
    self->request(owner, list_timeout, list_flows_atom::value)
      .receive([&](const std::string& flows) { out += flows; }, [](const caf::error&) {});
  return out;
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
    auto directory = std::make_shared<flow_directory>();
    owners.children.push_back({"firewall_flow_opener", [=, table = settings.table](caf::actor_system& s) {
                                 auto a = s.spawn(flow_opener, directory, std::shared_ptr<const owner_parts>(parts),
                                                  table);
                                 actors::register_as(s, opener_name(), a);
                                 return a;
                               }});
    owners.hand_off = [directory, forward, sys](const fw::packet_facts& facts, const actors::inbound_frame& in) {
      if (auto flow = directory->find(fw::lookup_tuple(facts))) {
        actors::tell(in.here, flow, judge_frame_atom::value, in.link, actors::frame{in.bytes});
        return true;
      }
      return forward(opener_name(), in);
    };
    owners.flows = [directory] { return directory->flows(); };
    owners.list = [directory](caf::blocking_actor* self) { return ask_for_flows(self, directory->all()); };
  }
  return owners;
}

} // namespace etherbeam::apps::router
