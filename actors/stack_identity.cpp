#include "actors/stack_identity.hpp"

namespace etherbeam::actors {

bool stack_identity::owns(protocols::ipv4_address a) const {
  for (const auto& i : addresses)
    if (i.address == a) return true;
  return false;
}

bool stack_identity::delivers_to(protocols::ipv4_address a) const {
  if (owns(a)) return true;
  for (const auto& other : owned_elsewhere)
    if (other == a) return true;
  return false;
}

std::optional<protocols::ipv4_address> stack_identity::address_facing(protocols::ipv4_address peer) const {
  for (const auto& i : addresses)
    if ((i.address.value & i.netmask()) == (peer.value & i.netmask())) return i.address;
  if (addresses.empty()) return std::nullopt;
  return addresses.front().address;
}

std::optional<protocols::ipv4_address>
stack_identity::broadcast_owner(protocols::ipv4_address a) const {
  for (const auto& i : addresses)
    if (a.is_limited_broadcast() || (i.prefix_length < 31 && i.directed_broadcast() == a))
      return i.address;
  return std::nullopt;
}

} // namespace etherbeam::actors
