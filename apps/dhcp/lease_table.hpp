#pragma once
// The leases the DHCP server knows, indexed by address and by client. Pure
// state: the lease manager actor owns one and journals every change to it.
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>

#include "apps/dhcp/dhcp_settings.hpp"

namespace etherbeam::apps::dhcp {

enum class lease_state : std::uint8_t {
  offered,  // reserved by an OFFER until `expires`; never journaled
  bound,    // ACKed: durable
  released, // given back by the client; kept so it gets the same address again
  declined, // reported in use by a client; held back until `expires`
};
std::string_view to_string(lease_state s);

struct lease {
  protocols::ipv4_address address;
  client_key client;
  protocols::mac_address mac;
  std::string host_name;
  std::int64_t expires = 0; // Unix time, seconds
  lease_state state = lease_state::bound;

  // Whether the address is taken at `now`: bound, offered or declined and not yet expired.
  bool holds_address(std::int64_t now) const {
    return state != lease_state::released && expires > now;
  }
};

class lease_table {
public:
  const lease* by_address(protocols::ipv4_address a) const;
  // The most recent lease of this client, in whatever state.
  const lease* by_client(const client_key& key) const;
  // Inserts or replaces the lease of `l.address`; the client's previous
  // address, if another, is forgotten for that client.
  void put(const lease& l);
  void erase(protocols::ipv4_address a);
  bool taken(protocols::ipv4_address a, std::int64_t now) const;

  // The lowest address of `range` that has no record at all and that `usable`
  // accepts. Remembers per range where the search stopped, so that filling a
  // pool from its start costs O(1) per address instead of a scan from the
  // start: `usable` must say the same of an address for the table's lifetime
  // (it checks configuration, which is fixed while a lease manager runs).
  std::optional<protocols::ipv4_address> first_unrecorded(
    const address_range& range, const std::function<bool(protocols::ipv4_address)>& usable) const;
  // When configuration changes, what `usable` says may change with it.
  void forget_search_hints() { unrecorded_hint_.clear(); }

  // The offer that ends first among those `wanted` accepts: what a DISCOVER
  // takes over when the pool has nothing free (a flood of DISCOVERs must not
  // hold every address for the offer time).
  const lease* oldest_offer(const std::function<bool(const lease&)>& wanted) const;

  std::size_t size() const { return by_address_.size(); }
  void for_each(const std::function<void(const lease&)>& f) const;

private:
  std::map<std::uint32_t, lease> by_address_;
  std::map<client_key, std::uint32_t> by_client_;
  std::set<std::pair<std::int64_t, std::uint32_t>> offers_; // (expires, address) of every offer
  // Per range start: every address below the hint is recorded or unusable.
  mutable std::map<std::uint32_t, std::uint64_t> unrecorded_hint_;
};

} // namespace etherbeam::apps::dhcp
