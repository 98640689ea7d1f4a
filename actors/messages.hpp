#pragma once
// The message vocabulary between etherbeam's actors.
#include <cstdint>
#include <vector>

#include <caf/atom.hpp>
#include <caf/meta/type_name.hpp>
#include <caf/replies_to.hpp>
#include <caf/typed_actor.hpp>

namespace etherbeam::actors {

// One Ethernet frame, exactly as it was (or will be) on the wire.
struct frame {
  std::vector<std::uint8_t> bytes;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, frame& x) {
  return f(caf::meta::type_name("frame"), x.bytes);
}

using send_frame_atom = caf::atom_constant<caf::atom("sendframe")>;
// Makes a long-lived actor fail on purpose, to watch its supervisor restart it.
using inject_fault_atom = caf::atom_constant<caf::atom("fault")>;

// The one actor that writes reply frames to the binder's socket.
using sender_actor = caf::typed_actor<caf::reacts_to<send_frame_atom, frame>,
                                      caf::reacts_to<inject_fault_atom>>;

// Where the current sender is registered, so that actors started after a
// restart of the sender find the new one (OTP's registered names).
inline constexpr auto sender_registry_name = caf::atom("sender");

} // namespace etherbeam::actors
