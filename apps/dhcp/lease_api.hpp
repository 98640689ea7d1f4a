#pragma once
// The live lease API of the control socket, with Kea's lease4-* commands and
// meanings, JSON in and out ({"result": 0|1|3, "text": …, "arguments": …};
// 0 done, 1 refused, 3 nothing found):
//   lease4-get       {"ip-address"} | {"hw-address"} | {"client-id"}
//                    (or Kea's {"identifier-type", "identifier"})
//   lease4-get-all   every active lease
//   lease4-get-page  {"from": "start" | ADDRESS, "limit": N}: the next N by address
//   lease4-add       {"ip-address", "hw-address", "client-id"?, "hostname"?,
//                     "valid-lft"?}: a lease as an ACK would make it, durable
//   lease4-del       {"ip-address"}: the address is free again (journaled)
//   lease4-wipe      {"subnet": "10.77.0.0/24"}: every lease of that subnet
// Pure: it decides on the table and settings; the lease manager applies the
// changes, journals them and answers once they are on disk.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "apps/dhcp/dhcp_settings.hpp"
#include "apps/dhcp/lease_table.hpp"

namespace etherbeam::apps::dhcp {

// What a change means to someone watching leases (`etherbeam watch`).
enum class lease_event : std::uint8_t { acked, renewed, released, declined, expired, deleted };
std::string_view to_string(lease_event e);
// The event a change to the table makes, given the lease it replaces (or
// null); nullopt for changes nobody watches (offers).
std::optional<lease_event> event_of(const lease* before, const lease& after);
// One line of `etherbeam watch`: the event and the lease, as JSON.
std::string watch_line(lease_event e, const lease& l, std::int64_t now);

struct lease_api_answer {
  std::string reply;          // the JSON to send
  std::vector<lease> changes; // to put in the table and journal before it is sent
  lease_event event = lease_event::deleted; // what the changes are, for watchers
};

// `command` as named above; `arguments` a JSON object (or empty).
lease_api_answer lease_api(std::string_view command, std::string_view arguments, const lease_table& table,
                           const dhcp_settings& settings, const std::vector<protocols::ipv4_interface>& own,
                           std::int64_t now);

// {"result": 1, "text": TEXT}: a command refused for a reason outside the table.
std::string lease_api_refusal(const std::string& text);

// The commands lease_api answers.
const std::vector<std::string>& lease_api_commands();

} // namespace etherbeam::apps::dhcp
