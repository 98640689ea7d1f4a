#pragma once
// What the router's deciders tell each link's neighbour actor.
#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/atom.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include <string>

#include "actors/link_index.hpp"
#include "actors/messages.hpp"
#include "apps/router/router_packets.hpp"

namespace etherbeam::apps::router {

using route_packet_atom = caf::atom_constant<caf::atom("route")>;
using arp_heard_atom = caf::atom_constant<caf::atom("arpheard")>;
using neighbour_tick_atom = caf::atom_constant<caf::atom("ntick")>;
using list_neighbours_atom = caf::atom_constant<caf::atom("nlist")>;

using neighbour_actor = caf::typed_actor<caf::reacts_to<route_packet_atom, routed_packet>,
                                         caf::reacts_to<arp_heard_atom, arp_heard>,
                                         caf::reacts_to<neighbour_tick_atom>,
                                         caf::replies_to<list_neighbours_atom>::with<std::string>,
                                         caf::reacts_to<actors::inject_fault_atom>>;

// The name link `link`'s neighbour actor is registered under.
caf::atom_value neighbour_actor_name(actors::link_index link);

} // namespace etherbeam::apps::router

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(etherbeam::apps::router::routed_packet)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(etherbeam::apps::router::arp_heard)
