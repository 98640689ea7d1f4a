#pragma once
// The DHCP application's actors and what they say to each other.
#include <memory>
#include <string>
#include <vector>

#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/atom.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include "actors/messages.hpp"
#include "apps/dhcp/dhcp_server.hpp"

namespace etherbeam::apps::dhcp {

using actors::inject_fault_atom;

struct journal_batch; // lease_journal.hpp

// A decided DHCP reply, for the DHCP actor to frame, address and send: the
// request it answers, the reply, and the raw options it carries (owned here,
// so the message stands on its own).
struct dhcp_answer {
  dhcp_inbound request;
  protocols::dhcp_repr reply; // extra_options empty; see `extra`
  std::vector<raw_option> extra;
  protocols::ipv4_address server_address;
};
using dhcp_answer_atom = caf::atom_constant<caf::atom("dhcpans")>;
// The DHCP actor: speaks the protocol on the wire side. It turns decided
// replies into frames addressed by RFC 2131 §4.1 and hands them to the sender.
using dhcp_actor = caf::typed_actor<caf::reacts_to<dhcp_answer_atom, dhcp_answer>,
                                    caf::reacts_to<inject_fault_atom>>;
inline constexpr auto dhcp_registry_name = caf::atom("dhcp");

// A DHCP message for the lease manager, and the lease manager itself: it owns
// the lease table and its journal, decides, and passes each reply to the DHCP
// actor once the decision behind it is on disk.
using dhcp_message_atom = caf::atom_constant<caf::atom("dhcpmsg")>;
// Sent by the lease manager to itself: commit the journal, then release the
// replies that waited for it (group commit).
using commit_atom = caf::atom_constant<caf::atom("commit")>;
// SIGHUP: new DHCP settings (already validated) for the lease manager.
using reload_atom = caf::atom_constant<caf::atom("reload")>;
// From the worker that writes a compaction snapshot: how many records, or why not.
using snapshot_written_atom = caf::atom_constant<caf::atom("snapshot")>;
// From the journal writer: a batch of records is on disk, or why not.
using batch_written_atom = caf::atom_constant<caf::atom("batchdone")>;
// Sent by the lease manager to itself: the gauges are due for a refresh.
using refresh_gauges_atom = caf::atom_constant<caf::atom("gauges")>;
// The control socket's lease API (lease_api.hpp): command, JSON arguments;
// the JSON answer comes once any change it makes is on disk.
using lease_api_atom = caf::atom_constant<caf::atom("leaseapi")>;
// `etherbeam leases` asking the running server: JSON?, inactive leases too?
using list_leases_atom = caf::atom_constant<caf::atom("listlease")>;
// `etherbeam watch`: a connected control socket (the lease manager owns it
// from now on) to write each lease event to, one JSON line per message.
using watch_atom = caf::atom_constant<caf::atom("watch")>;
// Sent by the lease manager to itself while someone watches: look for leases
// that expired since the last look.
using expiry_tick_atom = caf::atom_constant<caf::atom("expiry")>;
using lease_manager_actor = caf::typed_actor<caf::reacts_to<dhcp_message_atom, dhcp_inbound>,
                                             caf::reacts_to<commit_atom>,
                                             caf::reacts_to<refresh_gauges_atom>,
                                             caf::replies_to<lease_api_atom, std::string, std::string>::with<std::string>,
                                             caf::replies_to<list_leases_atom, bool, bool>::with<std::string>,
                                             caf::reacts_to<watch_atom, int>,
                                             caf::reacts_to<expiry_tick_atom>,
                                             caf::reacts_to<snapshot_written_atom, std::size_t, std::string>,
                                             caf::reacts_to<batch_written_atom, std::shared_ptr<journal_batch>,
                                                            std::string>,
                                             caf::reacts_to<reload_atom, dhcp_settings>,
                                             caf::reacts_to<inject_fault_atom>>;
inline constexpr auto lease_manager_registry_name = caf::atom("leases");

} // namespace etherbeam::apps::dhcp

// Never leave the process: no serialization needed.
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(etherbeam::apps::dhcp::dhcp_inbound)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(etherbeam::apps::dhcp::dhcp_answer)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(etherbeam::apps::dhcp::dhcp_settings)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::shared_ptr<etherbeam::apps::dhcp::journal_batch>)
