#pragma once
// The runtime's message vocabulary: frames to the sender, and faults injected
// into long-lived actors. Applications declare their own beside their actors.
#include <cstdint>
#include <string>
#include <vector>

#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/atom.hpp>
#include <caf/meta/type_name.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

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

} // namespace etherbeam::actors

// Never leaves the process: no serialization needed.
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(etherbeam::actors::frame)
