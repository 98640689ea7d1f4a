#include "actors/stack_identity.hpp"

namespace etherbeam::actors {

bool stack_identity::owns(protocols::ipv4_address a) const {
  return any_answered([&](const protocols::ipv4_interface& i) { return i.address == a; });
}

bool stack_identity::delivers_to(protocols::ipv4_address a) const {
  if (owns(a)) return true;
  for (const auto& other : owned_elsewhere)
    if (other == a) return true;
  return false;
}

std::optional<protocols::ipv4_address> stack_identity::address_facing(protocols::ipv4_address peer) const {
  std::optional<protocols::ipv4_address> facing, first;
  any_answered([&](const protocols::ipv4_interface& i) {
    if (!first) first = i.address;
    if (i.on_subnet(peer)) facing = i.address;
    return facing.has_value();
  });
  return facing ? facing : first;
}

std::optional<protocols::ipv4_address>
stack_identity::broadcast_owner(protocols::ipv4_address a) const {
  std::optional<protocols::ipv4_address> owner;
  any_answered([&](const protocols::ipv4_interface& i) {
    if (a.is_limited_broadcast() || (i.prefix_length < 31 && i.directed_broadcast() == a)) owner = i.address;
    return owner.has_value();
  });
  return owner;
}

} // namespace etherbeam::actors
