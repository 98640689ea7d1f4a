#pragma once
// Who this stack is on its link: the addresses it owns and the MAC it answers
// with. Every decision to answer a frame is made against this.
#include <cstdint>
#include <optional>
#include <vector>

#include "actors/link_index.hpp"
#include "protocols/addresses.hpp"

namespace etherbeam::actors {

struct stack_identity {
  std::vector<protocols::ipv4_interface> addresses;
  // Unknown until configured or learned from the binder's link file; frames
  // are not answered while it is unknown.
  std::optional<protocols::mac_address> mac;
  // The largest IP packet the link carries: larger replies leave fragmented.
  // Configured, or (0) learned from raw_binder's link file with the MAC.
  std::uint16_t mtu = 0;
  std::uint16_t link_mtu() const { return mtu ? mtu : 1500; }
  // Off by default, as on Linux (net.ipv4.icmp_echo_ignore_broadcasts=1).
  bool answer_broadcast_ping = false;

  // etherbeam's addresses on its other links. IPv4 sent to one of them here
  // is for etherbeam all the same (RFC 1122's weak host model, Linux's
  // default): a host behind the router pings the router's far address. ARP
  // answers only for this link's own.
  std::vector<protocols::ipv4_address> owned_elsewhere;
  // The addresses of links joined with this one in one broadcast domain (a
  // bridge's members): answered here as this link's own, ARP included, from
  // this link's MAC, as Linux's br0 answers on every port.
  std::vector<protocols::ipv4_interface> joined;
  // Those links themselves: a host on this link's subnet may be behind any
  // of them, so a router asks for it (ARP) on all and sends by the one it
  // answered on.
  std::vector<link_index> bridged;
  // The name of the bridge this link is a member of, when it was given one.
  std::string bridge;

  // This link's address, or a joined link's.
  bool owns(protocols::ipv4_address a) const;
  // Owned on this link or on another: IPv4 to `a` is delivered here.
  bool delivers_to(protocols::ipv4_address a) const;
  // The owned address to speak to `peer` from: the one on its subnet, else
  // the first; none when this link has no address.
  std::optional<protocols::ipv4_address> address_facing(protocols::ipv4_address peer) const;
  // The owned address whose subnet's broadcast (or 255.255.255.255) is `a`.
  std::optional<protocols::ipv4_address> broadcast_owner(protocols::ipv4_address a) const;

private:
  // Each address answered here: this link's own, then the joined ones; stops when `f` returns true.
  template <typename F> bool any_answered(F f) const {
    for (const auto& i : addresses)
      if (f(i)) return true;
    for (const auto& i : joined)
      if (f(i)) return true;
    return false;
  }
};

} // namespace etherbeam::actors
