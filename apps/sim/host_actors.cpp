#include "apps/sim/host_actors.hpp"

#include <algorithm>
#include <mutex>

#include <caf/actor_registry.hpp>
#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/exit_reason.hpp>
#include <caf/send.hpp>
#include <caf/typed_response_promise.hpp>
#include <caf/system_messages.hpp>
#include <spdlog/spdlog.h>

#include "actors/frame.hpp"
#include "actors/link.hpp"
#include "actors/messages.hpp"
#include "actors/registered_name.hpp"
#include "actors/tell.hpp"
#include "apps/sim/dhcp_host_frames.hpp"
#include "apps/sim/host_probe.hpp"
#include "apps/sim/sim_messages.hpp"
#include "apps/sim/timer_queue.hpp"

namespace etherbeam::apps::sim {

void host_handles::resize(std::size_t n) {
  std::unique_lock guard(lock_);
  actors_.resize(n);
}

void host_handles::set(host_index host, caf::actor actor) {
  std::unique_lock guard(lock_);
  actors_.at(host) = std::move(actor);
}

caf::actor host_handles::get(host_index host) const {
  std::shared_lock guard(lock_);
  return host < actors_.size() ? actors_[host] : caf::actor{};
}

void host_roster::add(host_spec spec) {
  std::unique_lock guard(lock_);
  ++(spec.address ? live_.statics : live_.by_dhcp);
  hosts_.push_back(std::move(spec));
}

std::optional<host_spec> host_roster::get(host_index host) const {
  std::shared_lock guard(lock_);
  return host < hosts_.size() ? hosts_[host] : std::nullopt;
}

bool host_roster::remove(host_index host) {
  std::unique_lock guard(lock_);
  if (host >= hosts_.size() || !hosts_[host]) return false;
  --(hosts_[host]->address ? live_.statics : live_.by_dhcp);
  hosts_[host].reset();
  return true;
}

std::size_t host_roster::size() const {
  std::shared_lock guard(lock_);
  return hosts_.size();
}

host_roster::counts host_roster::live() const {
  std::shared_lock guard(lock_);
  return live_;
}

std::vector<host_index> host_roster::live_dhcp_hosts() const {
  std::shared_lock guard(lock_);
  std::vector<host_index> out;
  for (const auto& h : hosts_)
    if (h && !h->address) out.push_back(h->index);
  return out;
}

std::vector<actors::link_index> host_roster::links() const {
  std::shared_lock guard(lock_);
  std::vector<actors::link_index> out;
  for (const auto& h : hosts_)
    if (h && std::find(out.begin(), out.end(), h->link) == out.end()) out.push_back(h->link);
  return out;
}

namespace {

const std::vector<std::uint64_t> latency_bounds_ms = {10, 50, 100, 250, 500, 1000, 1100, 1250, 1500, 2000, 5000, 10000, 30000, 60000};

} // namespace

sim_counters::sim_counters(actors::counter_registry& c)
    : replies(c.add("sim.replies")), crashes(c.add("sim.host_restarts")),
      retransmissions(c.add("sim.dhcp_retransmissions")), naks(c.add("sim.dhcp_naks")),
      declines(c.add("sim.dhcp_declines")), releases(c.add("sim.dhcp_releases")), renewals(c.add("sim.dhcp_renewals")),
      rebinds(c.add("sim.dhcp_rebinds")),
      dora_ms(c.add_histogram("sim.dhcp_dora_ms", latency_bounds_ms)),
      renew_ms(c.add_histogram("sim.dhcp_renew_ms", latency_bounds_ms)) {}

namespace {

struct host_state {
  actors::stack_identity me;
  std::optional<dhcp_client> client;
  std::optional<host_probe> probe; // asked to ARP or ping (one at a time)
  caf::typed_response_promise<std::string> asked;
  std::optional<protocols::mac_address> server_mac;
  sim_clock::time_point armed{};
  caf::actor timers; // the manager, which keeps the hosts' timers (timer_queue.hpp says why)
  std::uint8_t prefix = 24; // the subnet mask the server gave
  std::uint64_t random = 0;  // the impaired link's draws
  static inline const char* name = "sim_host";
};

using host_pointer = caf::stateful_actor<host_state>*;

std::uint8_t prefix_of(protocols::ipv4_address mask) {
  return static_cast<std::uint8_t>(__builtin_popcount(mask.value));
}

// Out through the link's sender, across the group's impaired link if it has one.
void send_frame(host_pointer self, const host_spec& spec, actors::frame f) {
  auto sender =
    caf::actor_cast<actors::sender_actor>(self->system().registry().get(actors::sender_name(spec.link)));
  if (!sender) return;
  const auto& link = spec.timing->link;
  if (!link.any()) return actors::tell(self->context(), sender, actors::send_frame_atom::value, std::move(f));
  auto plan = plan_frame(link, self->state.random);
  for (std::uint8_t i = 0; i < plan.copies; ++i) {
    if (plan.after[i].count() == 0) actors::tell(self->context(), sender, actors::send_frame_atom::value, f);
    else self->delayed_send(sender, plan.after[i], actors::send_frame_atom::value, f);
  }
}

std::uint64_t elapsed_ms(sim_clock::time_point since, sim_clock::time_point now) {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(now - since).count());
}

// After every event of a DHCP host: what the client asks for is done, its
// timer armed, its address published, its state counted.
void act(host_pointer self, const host_spec& spec, const host_world& world, client_state before, client_step step,
         sim_clock::time_point now) {
  auto& st = self->state;
  auto& c = *st.client;
  auto& counters = *world.counters;
  if (step.send) {
    if (step.send->type != protocols::dhcp_message_type::release && c.attempts() > 1 &&
        (c.state() == client_state::selecting || c.state() == client_state::requesting ||
         c.state() == client_state::rebooting))
      ++counters.retransmissions;
    if (step.send->type == protocols::dhcp_message_type::decline) ++counters.declines;
    if (step.send->type == protocols::dhcp_message_type::release) ++counters.releases;
    send_frame(self, spec, actors::frame{client_frame(*step.send, spec.mac, st.server_mac, spec.vlan)});
  }
  if (step.probe) send_frame(self, spec, actors::frame{arp_probe(spec.mac, *step.probe, spec.vlan)});
  auto after = c.state();
  if (after != before) {
    --counters.in_state[static_cast<std::size_t>(before)];
    ++counters.in_state[static_cast<std::size_t>(after)];
    if (after == client_state::bound) {
      if (before == client_state::checking) counters.dora_ms.observe(elapsed_ms(c.exchange_began(), now));
      else {
        ++counters.renewals;
        if (before == client_state::rebinding) ++counters.rebinds;
        counters.renew_ms.observe(elapsed_ms(c.exchange_began(), now));
      }
      st.me.addresses = {{c.lease()->address, st.prefix}};
      world.directory->set_address(spec.index, c.lease()->address);
    } else if (!c.lease() && !st.me.addresses.empty()) {
      st.me.addresses.clear();
      world.directory->set_address(spec.index, std::nullopt);
    }
  }
  auto due = c.next_timer();
  if (after != client_state::released && due != st.armed) {
    st.armed = due;
    self->send(st.timers, host_arm_atom::value, spec.index, due.time_since_epoch().count());
  }
}

// A DHCP host counts in INIT from its start (host_start_atom); one asked to
// reboot or to leave before that is counted there first, so that its move
// out of INIT is not one too many.
void count_if_not_started(const host_state& st, const host_world& world) {
  if (st.client && st.client->state() == client_state::init && st.armed == sim_clock::time_point{})
    ++world.counters->in_state[static_cast<std::size_t>(client_state::init)];
}

// After every event of a probe: its next frame sent, its wait armed, its
// report delivered once it is done.
void go_on(host_pointer self, const host_spec& spec, host_probe::step step) {
  auto& st = self->state;
  if (step.send) send_frame(self, spec, actors::frame{std::move(*step.send)});
  if (st.probe->done()) {
    st.asked.deliver(st.probe->report());
    st.probe.reset();
    return;
  }
  auto due = st.probe->deadline();
  self->delayed_send(self, std::max<sim_clock::duration>(due - sim_clock::now(), std::chrono::milliseconds(1)),
                     host_probe_timeout_atom::value, due.time_since_epoch().count());
}

caf::result<std::string> start_probe(host_pointer self, const host_spec& spec, probe_request request) {
  auto& st = self->state;
  auto host = spec.mac.to_string();
  if (st.probe) return "error: host " + host + " is busy with another ARP or ping; try again when it is done\n";
  if (st.me.addresses.empty())
    return "error: host " + host + " has no address yet" +
           (st.client ? std::string(" (its DHCP client is ") + to_string(st.client->state()) + ")" : "") + "\n";
  auto own = st.me.addresses.front();
  if ((request.target.value ^ own.address.value) & own.netmask())
    return "error: " + request.target.to_string() + " is not on host " + host + "'s subnet " + own.to_string() +
           " (simulated hosts have no router)\n";
  st.probe.emplace(request, probe_source{spec.mac, own, spec.vlan, static_cast<std::uint16_t>(spec.index)});
  st.asked = self->make_response_promise<std::string>();
  auto first = st.probe->begin(sim_clock::now());
  go_on(self, spec, {false, std::move(first)});
  return st.asked;
}

// A frame for this host, once across its link: an answer to its probe, a
// DHCP answer or a conflict for its client, or else answered as the host
// application would.
void take_frame(host_pointer self, const host_spec& spec, const host_world& world, const actors::frame& f) {
  auto& st = self->state;
  auto now = sim_clock::now();
  if (st.probe) {
    if (auto step = st.probe->on_frame(f.bytes(), now); step.answered) return go_on(self, spec, std::move(step));
  }
  if (st.client) {
    auto& c = *st.client;
    if (auto a = dhcp_answer_in(f.bytes(), spec.mac)) {
      if (a->answer.type == protocols::dhcp_message_type::nak) ++world.counters->naks;
      if (a->answer.type == protocols::dhcp_message_type::ack) {
        st.server_mac = a->server_mac;
        if (a->options.subnet_mask) st.prefix = prefix_of(*a->options.subnet_mask);
      }
      auto before = c.state();
      return act(self, spec, world, before, c.on_answer(a->answer, now, spec.timing->dhcp), now);
    }
    if (c.state() == client_state::checking && claims_address(f.bytes(), c.offered(), spec.mac)) {
      auto before = c.state();
      return act(self, spec, world, before, c.on_conflict(now, spec.timing->dhcp), now);
    }
  }
  actors::frame reply{std::max(f.size(), actors::min_reply_room)};
  auto v = world.answers->decide(f.bytes(), st.me, reply.bytes(), self->context(), spec.link);
  v.record();
  if (v.outcome != actors::verdict::kind::reply) return;
  reply.shrink_to(v.reply_len);
  ++world.counters->replies;
  send_frame(self, spec, std::move(reply));
}

caf::behavior host(host_pointer self, host_spec spec, std::shared_ptr<const host_world> world, caf::actor timers) {
  auto& st = self->state;
  st.timers = std::move(timers);
  st.me.mac = spec.mac;
  st.random = 0x5157ull << 32 | spec.index;
  if (spec.address) st.me.addresses.push_back(*spec.address);
  else st.client.emplace(std::hash<std::uint64_t>{}(spec.index) ^ (0x5157ull << 32 | spec.index));
  return {
    [=](host_frame_atom, const actors::frame& f) {
      const auto& link = spec.timing->link;
      if (!link.any()) return take_frame(self, spec, *world, f);
      auto plan = plan_frame(link, self->state.random);
      for (std::uint8_t i = 0; i < plan.copies; ++i) {
        if (plan.after[i].count() == 0) take_frame(self, spec, *world, f);
        else self->delayed_send(self, plan.after[i], host_arrival_atom::value, f);
      }
    },
    [=](host_arrival_atom, const actors::frame& f) { take_frame(self, spec, *world, f); },
    [=](host_remove_atom) {
      auto& st = self->state;
      if (st.client) {
        auto now = sim_clock::now();
        auto before = st.client->state();
        count_if_not_started(st, *world);
        act(self, spec, *world, before, st.client->release(), now); // RELEASE, if it holds a lease
      }
      if (st.probe) st.asked.deliver(std::string("error: host " + spec.mac.to_string() + " was removed\n"));
      self->quit();
    },
    [=](host_probe_atom, std::uint8_t kind, std::uint32_t target, std::uint32_t count) {
      return start_probe(self, spec, {static_cast<probe_kind>(kind), protocols::ipv4_address{target}, count});
    },
    [=](host_probe_timeout_atom, sim_clock::rep due) {
      auto& st = self->state;
      if (!st.probe || due != st.probe->deadline().time_since_epoch().count()) return; // answered meanwhile
      go_on(self, spec, st.probe->on_timeout(sim_clock::now()));
    },
    [=](host_reboot_atom) {
      auto& st = self->state;
      if (!st.client) return;
      auto now = sim_clock::now();
      auto before = st.client->state();
      std::optional<protocols::ipv4_address> remembered;
      if (st.client->lease()) remembered = st.client->lease()->address;
      count_if_not_started(st, *world);
      act(self, spec, *world, before, st.client->start(now, spec.timing->dhcp, remembered), now);
    },
    [=](host_start_atom) {
      auto& c = *self->state.client;
      auto now = sim_clock::now();
      ++world->counters->in_state[static_cast<std::size_t>(client_state::init)];
      act(self, spec, *world, client_state::init, c.start(now, spec.timing->dhcp), now);
    },
    [=](host_timer_atom, sim_clock::rep due) {
      auto& st = self->state;
      if (!st.client || due != st.armed.time_since_epoch().count()) return; // an earlier timer, replaced
      st.armed = {};
      auto now = sim_clock::now();
      auto before = st.client->state();
      act(self, spec, *world, before, st.client->on_timer(now, spec.timing->dhcp), now);
    },
  };
}

// Monitored, not linked: a link lives in both actors' lists, and the
// manager's would hold one per host, each death a search through them all
// (100,000 hosts took minutes to stop). The manager ends its hosts itself.
caf::actor spawn_host(caf::event_based_actor* manager, const host_spec& spec,
                      const std::shared_ptr<const host_world>& world) {
  // Lazily: a host starts when its first frame comes. Spawned eagerly, each
  // new actor is a job in the manager's worker's queue, which CAF 0.17's
  // work stealing scans from the tail: 100,000 of them took minutes.
  auto a = manager->spawn<caf::lazy_init>(host, spec, world, caf::actor_cast<caf::actor>(manager));
  manager->monitor(a);
  world->handles->set(spec.index, a);
  return a;
}

struct manager_state {
  std::unordered_map<caf::actor_addr, host_index> hosts;
  timer_queue timers;
  sim_clock::time_point tick_at{}; // when the manager's next look at its timers comes; {}: none pending
  std::uint64_t seed = 0x243f6a8885a308d3ull; // the DHCP hosts' random starts
  static inline const char* name = "sim_hosts";
};

using manager_pointer = caf::stateful_actor<manager_state>*;

// Timers due within this of each other are sent in one look: at most a
// thousand wake-ups of CAF's clock a second, whatever the hosts do, and
// hosts that start together come a few at a time, as they would on a link.
constexpr auto timer_resolution = std::chrono::milliseconds(1);

void look_at_timers_in_time(manager_pointer self) {
  auto& st = self->state;
  auto next = st.timers.next_due();
  if (!next) return;
  if (st.tick_at != sim_clock::time_point{} && *next + timer_resolution >= st.tick_at) return; // one comes soon enough
  auto now = sim_clock::now();
  st.tick_at = std::max(*next, now + timer_resolution);
  self->delayed_send(self, st.tick_at - now, host_tick_atom::value, st.tick_at.time_since_epoch().count());
}

void send_due_timers(manager_pointer self, const host_world& world) {
  for (const auto& t : self->state.timers.take_due(sim_clock::now())) {
    auto host = world.handles->get(t.host);
    if (!host) continue; // removed
    if (t.kind == timer_kind::start) self->send(host, host_start_atom::value);
    else self->send(host, host_timer_atom::value, t.due.time_since_epoch().count());
  }
}

// Spawns the roster's hosts [first, end); DHCP hosts begin at random within
// their group's spread. Returns how many DHCP hosts there were.
std::int64_t spawn_hosts(manager_pointer self, const std::shared_ptr<const host_world>& world, host_index first,
                         host_index end) {
  world->handles->resize(world->roster->size());
  std::vector<host_timer> starts;
  for (auto i = first; i < end; ++i) {
    auto spec = world->roster->get(i);
    if (!spec) continue; // removed meanwhile
    self->state.hosts[spawn_host(self, *spec, world).address()] = i;
    if (spec->address) continue;
    self->state.seed = self->state.seed * 6364136223846793005ull + 1442695040888963407ull;
    auto spread = std::max<std::int64_t>(spec->timing->start_spread.count(), 1);
    auto at = std::chrono::milliseconds(
      static_cast<std::int64_t>((self->state.seed >> 33) % static_cast<std::uint64_t>(spread)));
    starts.push_back({sim_clock::time_point{at}, i, timer_kind::start});
  }
  // The spread counts from when every host is spawned (100,000 take a while):
  // counted from before, the starts due meanwhile would all go at once.
  auto now = sim_clock::now();
  for (auto t : starts) {
    t.due = now + t.due.time_since_epoch();
    self->state.timers.arm(t);
  }
  look_at_timers_in_time(self);
  return static_cast<std::int64_t>(starts.size());
}

caf::behavior host_manager(manager_pointer self, std::shared_ptr<const host_world> world) {
  auto dhcp_hosts = spawn_hosts(self, world, 0, static_cast<host_index>(world->roster->size()));
  spdlog::info("sim: {} hosts up", world->roster->size());
  // While DHCP hosts come up: a progress line a second, until every one is bound.
  if (dhcp_hosts > 0) self->delayed_send(self, std::chrono::seconds(1), host_progress_atom::value, dhcp_hosts);
  // A host that crashes starts again with its spec (unless it was removed).
  self->set_down_handler([=](caf::down_msg& m) {
    auto it = self->state.hosts.find(m.source);
    if (it == self->state.hosts.end()) return;
    auto index = it->second;
    self->state.hosts.erase(it);
    if (!m.reason) return;
    auto spec = world->roster->get(index);
    if (!spec) return;
    ++world->counters->crashes;
    self->state.hosts[spawn_host(self, *spec, world).address()] = index;
  });
  self->attach_functor([world] {
    for (std::size_t i = 0; i < world->roster->size(); ++i) {
      auto host = world->handles->get(static_cast<host_index>(i));
      if (host) caf::anon_send_exit(host, caf::exit_reason::user_shutdown);
      world->handles->set(static_cast<host_index>(i), {});
    }
  });
  return {
    [](host_frame_atom, const actors::frame&) {},
    [=](host_arm_atom, host_index host, sim_clock::rep due) {
      self->state.timers.arm({sim_clock::time_point{sim_clock::duration{due}}, host, timer_kind::dhcp});
      look_at_timers_in_time(self);
    },
    [=](host_tick_atom, sim_clock::rep at) {
      if (at == self->state.tick_at.time_since_epoch().count()) self->state.tick_at = {};
      send_due_timers(self, *world);
      look_at_timers_in_time(self);
    },
    [=](host_spawn_atom, host_index first, host_index end) {
      auto added = spawn_hosts(self, world, first, end);
      spdlog::info("sim: {} hosts added", end - first);
      if (added > 0)
        self->delayed_send(self, std::chrono::seconds(1), host_progress_atom::value,
                           static_cast<std::int64_t>(world->roster->live().by_dhcp));
    },
    [=](host_progress_atom, std::int64_t dhcp_hosts) {
      const auto& in = world->counters->in_state;
      auto bound = in[static_cast<std::size_t>(client_state::bound)].load() +
                   in[static_cast<std::size_t>(client_state::renewing)].load() +
                   in[static_cast<std::size_t>(client_state::rebinding)].load();
      spdlog::info("sim: {} of {} DHCP hosts bound ({} selecting, {} requesting, {} checking)", bound, dhcp_hosts,
                   in[static_cast<std::size_t>(client_state::selecting)].load(),
                   in[static_cast<std::size_t>(client_state::requesting)].load(),
                   in[static_cast<std::size_t>(client_state::checking)].load());
      if (bound < dhcp_hosts) self->delayed_send(self, std::chrono::seconds(1), host_progress_atom::value, dhcp_hosts);
    },
  };
}

} // namespace

caf::actor spawn_host_manager(caf::actor_system& system, std::shared_ptr<const host_world> world) {
  auto manager = system.spawn(host_manager, std::move(world));
  actors::register_as(system, host_manager_name, manager);
  return manager;
}

} // namespace etherbeam::apps::sim
