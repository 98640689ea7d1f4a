// The per-flow model of flow_actors.hpp: the BEAM way, an actor per flow
// holding its state, its timer and its NAT; a directory finds it by either
// tuple, and one opener actor judges new flows, spawns their actors, and,
// when the table is full, ends the oldest one nobody has answered.
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
#include "apps/router/flow_owner_parts.hpp"
#include "protocols/ethernet.hpp"

namespace etherbeam::apps::router::flow_owning {

namespace fw = firewall;
using actors::link_index;

namespace {

using flow_ended_atom = caf::atom_constant<caf::atom("flowended")>;
using flow_assured_atom = caf::atom_constant<caf::atom("flowassurd")>;

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

} // namespace

void add_per_flow_owners(flow_owners& owners, const fw::flow_table::settings& table,
                         std::shared_ptr<owner_parts> parts, const forward_fn& forward) {
  auto directory = std::make_shared<flow_directory>();
  owners.children.push_back({"firewall_flow_opener", [=](caf::actor_system& s) {
                               auto a = s.spawn(flow_opener, directory, std::shared_ptr<const owner_parts>(parts),
                                                table);
                               actors::register_as(s, opener_name(), a);
                               return a;
                             }});
  owners.hand_off = [directory, forward](const fw::packet_facts& facts, const actors::inbound_frame& in) {
    if (auto flow = directory->find(fw::lookup_tuple(facts))) {
      actors::tell(in.here, flow, judge_frame_atom::value, in.link, actors::frame{in.bytes});
      return true;
    }
    return forward(opener_name(), in);
  };
  owners.flows = [directory] { return directory->flows(); };
  owners.list = [directory](caf::blocking_actor* self) { return ask_for_flows(self, directory->all()); };
}

} // namespace etherbeam::apps::router::flow_owning
