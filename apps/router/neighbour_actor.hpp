#pragma once
// One link's neighbour actor: owns the link's neighbour table, adds the link
// header to each routed packet (fragmenting it when the link's MTU asks for
// it and DF allows), asks by ARP for next hops it does not know, and hands
// finished frames to the link's sender.
#include <memory>

#include "actors/link_directory.hpp"
#include "actors/named_counters.hpp"
#include "actors/token_bucket.hpp"
#include "apps/router/route_table.hpp"
#include "apps/router/neighbour_cache.hpp"
#include "apps/router/neighbour_table.hpp"
#include "apps/router/router_messages.hpp"

namespace caf {
class actor_system;
}

namespace etherbeam::apps::router {

struct neighbour_counters {
  explicit neighbour_counters(actors::counter_registry& c);
  actors::named_counter &sent, &fragmented, &queued, &queue_full, &table_full, &undeliverable, &asked, &no_mac_yet,
    &host_unreachable_sent, &host_unreachable_limited;
};

// What a neighbour actor needs to say "host unreachable" (RFC 1812 §4.3.3.1)
// about packets whose next hop never answered: the routes back to their
// sources, and a rate limit shared by all links' actors.
struct unreachable_reports {
  std::shared_ptr<const route_table> routes;
  std::shared_ptr<actors::token_bucket> limit;
};

// Spawns link `link`'s neighbour actor and registers it under neighbour_actor_name(link).
neighbour_actor spawn_neighbour_actor(caf::actor_system& system, actors::link_index link,
                                      std::shared_ptr<const actors::link_directory> links,
                                      std::shared_ptr<neighbour_counters> counters, neighbour_table::settings settings,
                                      unreachable_reports reports, std::shared_ptr<neighbour_cache> cache);

} // namespace etherbeam::apps::router
