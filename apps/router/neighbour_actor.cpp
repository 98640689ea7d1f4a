#include "apps/router/neighbour_actor.hpp"

#include <algorithm>

#include <caf/actor_cast.hpp>
#include <caf/actor_registry.hpp>
#include <caf/actor_system.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <spdlog/spdlog.h>

#include "actors/link.hpp"
#include "actors/registered_name.hpp"
#include "protocols/arp.hpp"
#include "protocols/ethernet.hpp"
#include "protocols/frame_repr.hpp"
#include "protocols/ipv4_fragmentation.hpp"
#include "apps/router/forwarding.hpp"
#include "protocols/icmpv4.hpp"

namespace etherbeam::apps::router {

caf::atom_value neighbour_actor_name(actors::link_index link) {
  return caf::atom_from_string("neigh" + std::to_string(link));
}

neighbour_counters::neighbour_counters(actors::counter_registry& c)
    : sent(c.add("router.forwarded")), fragmented(c.add("router.fragmented")),
      queued(c.add("router.waiting_for_arp")), queue_full(c.add("router.dropped_arp_queue_full")),
      table_full(c.add("router.dropped_neighbour_table_full")),
      undeliverable(c.add("router.dropped_neighbour_unreachable")), asked(c.add("router.arp_requests")),
      no_mac_yet(c.add("router.dropped_own_mac_unknown")),
      host_unreachable_sent(c.add("router.icmp_host_unreachable")),
      host_unreachable_limited(c.add("ignored.icmp_error_rate_limited")) {}

namespace {

constexpr auto tick_interval = std::chrono::milliseconds(250);

struct neighbour_state {
  std::unique_ptr<neighbour_table> table;
  actors::link_index link = 0;
  std::shared_ptr<const actors::link_directory> links;
  std::shared_ptr<neighbour_counters> counters;
  unreachable_reports reports;
  neighbour_table::output out; // made once: what the table's decisions turn into
  std::shared_ptr<neighbour_cache> cache;
  std::shared_ptr<const neighbour_cache::snapshot> published;
  static inline const char* name = "neighbours";
};

using self_pointer = neighbour_actor::stateful_pointer<neighbour_state>;

// To the sender of `link`: the actor's own, or one bridged with it.
void to_sender(self_pointer self, actors::link_index link, actors::frame f) {
  auto sender = caf::actor_cast<actors::sender_actor>(self->system().registry().get(actors::sender_name(link)));
  if (sender) self->send(sender, actors::send_frame_atom::value, std::move(f));
}

// RFC 1812 §4.3.3.1: an ICMP host unreachable to the source of a packet whose
// next hop never answered ARP, from our address on the link back to it.
void report_host_unreachable(self_pointer self, const neighbour_table::packet& p) {
  auto& st = self->state;
  auto packet = protocols::ipv4_packet::check(p);
  if (!packet || !may_send_icmp_error_about(*packet, false)) return;
  auto back = st.reports.routes->lookup(packet->source());
  if (!back) return;
  auto me = st.links->identity(back->link);
  auto from = me->address_facing(packet->source());
  if (!from) return;
  if (!st.reports.limit->take()) return void(++st.counters->host_unreachable_limited);
  // Emitted as a frame with a placeholder link header, which the neighbour
  // actor of the link back replaces.
  constexpr auto link_header = protocols::ethernet_frame::base_header_len;
  std::vector<std::uint8_t> bytes(link_header + 576); // an ICMP error is at most 576 bytes
  auto len = protocols::emit_icmp_error({{}, {}, {}, 0, 0}, *from, *packet, protocols::icmpv4_type::destination_unreachable,
                                        protocols::icmpv4_unreachable::host, 0, bytes);
  if (len <= link_header) return;
  routed_packet report{actors::frame{std::span<const std::uint8_t>(bytes).subspan(link_header, len - link_header)},
                       back->address};
  ++st.counters->host_unreachable_sent;
  auto to = caf::actor_cast<neighbour_actor>(self->system().registry().get(neighbour_actor_name(back->link)));
  if (to) self->send(to, route_packet_atom::value, std::move(report));
}

neighbour_table::output output_for(self_pointer self) {
  neighbour_table::output out;
  out.send = [self](const neighbour_table::location& to, neighbour_table::packet&& p) {
    auto& st = self->state;
    auto port = st.links->identity(to.port); // the link it answered on, with its MAC and MTU
    if (!port->mac) return void(++st.counters->no_mac_yet);
    constexpr auto link_header = protocols::ethernet_frame::base_header_len;
    // The frame is built where it will be sent from: one copy of the packet.
    actors::frame whole{link_header + p.size()};
    protocols::ethernet_repr{to.mac, *port->mac, {}, 0, protocols::ethertype::ipv4}.emit(whole.bytes());
    std::copy(p.begin(), p.end(), whole.bytes().begin() + link_header);
    if (p.size() > port->link_mtu()) {
      auto outcome = protocols::fragment_frame(whole.bytes(), link_header, port->link_mtu(), [&](protocols::byte_view piece) {
        to_sender(self, to.port, actors::frame{piece});
      });
      // DF was checked before routing, against this MTU: nothing else refuses a checked packet.
      if (outcome != protocols::fragmentation::fragmented) return;
      ++st.counters->fragmented;
    } else {
      to_sender(self, to.port, std::move(whole));
    }
    ++st.counters->sent;
  };
  out.ask = [self](protocols::ipv4_address target, std::optional<neighbour_table::location> unicast) {
    auto& st = self->state;
    auto me = st.links->identity(st.link);
    auto from = me->address_facing(target);
    if (!me->mac || !from) return void(++st.counters->no_mac_yet);
    // A probe goes where the neighbour answered; a broadcast, to every link bridged with this one too.
    std::vector<actors::link_index> asked_on;
    if (unicast) asked_on.push_back(unicast->port);
    else {
      asked_on.push_back(st.link);
      asked_on.insert(asked_on.end(), me->bridged.begin(), me->bridged.end());
    }
    for (auto l : asked_on) {
      auto port = l == st.link ? me : st.links->identity(l);
      if (!port->mac) continue;
      auto to = unicast ? unicast->mac : protocols::mac_address::broadcast();
      protocols::frame_repr request{{to, *port->mac, {}, 0, 0},
                                    protocols::arp_repr{protocols::arp_operation::request, *port->mac, *from, {}, target}};
      actors::frame f{request.buffer_len()};
      f.shrink_to(request.emit(f.bytes()));
      to_sender(self, l, std::move(f));
    }
    ++st.counters->asked;
  };
  out.undeliverable = [self](neighbour_table::packet&& p) {
    ++self->state.counters->undeliverable;
    report_host_unreachable(self, p);
  };
  return out;
}

// Publishes what is REACHABLE when it differs from what was published.
void publish_reachable(self_pointer self) {
  auto& st = self->state;
  auto now = std::make_shared<neighbour_cache::snapshot>();
  st.table->for_each_reachable([&](protocols::ipv4_address ip, const neighbour_table::location& at) {
    now->emplace(ip.value, at);
  });
  if (st.published && *st.published == *now) return;
  st.published = now;
  st.cache->publish(st.link, std::move(now));
}

neighbour_actor::behavior_type neighbours(self_pointer self, actors::link_index link,
                                          std::shared_ptr<const actors::link_directory> links,
                                          std::shared_ptr<neighbour_counters> counters,
                                          neighbour_table::settings settings, unreachable_reports reports,
                                          std::shared_ptr<neighbour_cache> cache) {
  auto& st = self->state;
  st.cache = std::move(cache);
  st.cache->publish(link, nullptr); // a restarted actor knows no neighbour yet
  st.reports = std::move(reports);
  st.table = std::make_unique<neighbour_table>(settings);
  st.link = link;
  st.links = std::move(links);
  st.counters = std::move(counters);
  st.out = output_for(self);
  self->delayed_send(self, tick_interval, neighbour_tick_atom::value);
  return {
    [self](route_packet_atom, routed_packet& r) {
      auto& st = self->state;
      auto bytes = r.packet.bytes();
      auto outcome = st.table->route(r.next_hop, {bytes.begin(), bytes.end()}, neighbour_table::clock::now(),
                                     st.out);
      switch (outcome) {
        case neighbour_table::outcome::sent: break;
        case neighbour_table::outcome::queued: ++st.counters->queued; break;
        case neighbour_table::outcome::queue_full: ++st.counters->queue_full; break;
        case neighbour_table::outcome::table_full: ++st.counters->table_full; break;
      }
    },
    [self](arp_heard_atom, const arp_heard& a) {
      auto& st = self->state;
      // On a bridge, each member's actor hears every member's ARP: the neighbour is kept
      // by the member holding an address on its subnet, the one the routes use, once.
      auto me = st.links->identity(st.link);
      if (!me->bridged.empty() &&
          std::none_of(me->addresses.begin(), me->addresses.end(), [&](const auto& i) { return i.on_subnet(a.ip); }))
        return;
      st.table->heard(a.ip, {a.mac, a.port}, a.is_reply, neighbour_table::clock::now(), st.out, a.update_only);
      publish_reachable(self);
    },
    [self](neighbour_tick_atom) {
      self->state.table->tick(neighbour_table::clock::now(), self->state.out);
      publish_reachable(self);
      self->delayed_send(self, tick_interval, neighbour_tick_atom::value);
    },
    [self](list_neighbours_atom) {
      auto& st = self->state;
      return st.table->list([&](actors::link_index l) { return st.links->at(l).name; }, st.link);
    },
    [self](actors::inject_fault_atom) {
      spdlog::warn("neighbour actor: fault injected, failing on purpose");
      self->quit(caf::sec::runtime_error);
    },
  };
}

} // namespace

neighbour_actor spawn_neighbour_actor(caf::actor_system& system, actors::link_index link,
                                      std::shared_ptr<const actors::link_directory> links,
                                      std::shared_ptr<neighbour_counters> counters, neighbour_table::settings settings,
                                      unreachable_reports reports, std::shared_ptr<neighbour_cache> cache) {
  auto actor = system.spawn(neighbours, link, std::move(links), std::move(counters), settings, std::move(reports),
                            std::move(cache));
  actors::register_as(system, neighbour_actor_name(link), caf::actor_cast<caf::actor>(actor));
  return actor;
}

} // namespace etherbeam::apps::router
