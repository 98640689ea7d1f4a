#pragma once
// The message vocabulary between etherbeam's actors.
#include <cstdint>
#include <string>
#include <vector>

#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/atom.hpp>
#include <caf/meta/type_name.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

#include "actors/dhcp_server.hpp"
#include "actors/frame.hpp"

namespace etherbeam::actors {

using send_frame_atom = caf::atom_constant<caf::atom("sendframe")>;
// Sent by the sender to itself: write the replies gathered so far. It queues
// behind the replies already in the mailbox, so they leave together.
using flush_atom = caf::atom_constant<caf::atom("flush")>;
// Makes a long-lived actor fail on purpose, to watch its supervisor restart it.
using inject_fault_atom = caf::atom_constant<caf::atom("fault")>;

// The one actor that writes reply frames to the binder's socket.
using sender_actor = caf::typed_actor<caf::reacts_to<send_frame_atom, frame>,
                                      caf::reacts_to<flush_atom>,
                                      caf::reacts_to<inject_fault_atom>>;

// Where the current sender is registered, so that actors started after a
// restart of the sender find the new one (OTP's registered names).
inline constexpr auto sender_registry_name = caf::atom("sender");

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
using lease_manager_actor = caf::typed_actor<caf::reacts_to<dhcp_message_atom, dhcp_inbound>,
                                             caf::reacts_to<commit_atom>,
                                             caf::reacts_to<snapshot_written_atom, std::size_t, std::string>,
                                             caf::reacts_to<reload_atom, dhcp_settings>,
                                             caf::reacts_to<inject_fault_atom>>;
inline constexpr auto lease_manager_registry_name = caf::atom("leases");

} // namespace etherbeam::actors

// Never leaves the process: no serialization needed.
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(etherbeam::actors::frame)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(etherbeam::actors::dhcp_inbound)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(etherbeam::actors::dhcp_answer)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(etherbeam::actors::dhcp_settings)
