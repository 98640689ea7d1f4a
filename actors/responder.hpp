#pragma once
// The decision a frame actor makes: given one frame and who we are, produce the
// reply frame or the reason for silence. Pure (no CAF, no I/O) so that every
// branch is unit-tested with real frames.
#include "actors/dhcp_server.hpp"
#include "actors/stack_identity.hpp"
#include "actors/verdict.hpp"
#include "protocols/bytes.hpp"

namespace etherbeam::actors {

// Writes the reply, if any, into `reply`, which must be at least frame.size()
// bytes: no reply of this stack is larger than the request it answers (no
// amplification), so that is always enough.
// With `dhcp` given, a well-formed DHCP message to the server port is parsed
// into it and handed off (verdict::kind::handed_off); without, DHCP is a UDP
// port nothing listens on.
verdict respond(protocols::byte_view frame, const stack_identity& me,
                protocols::byte_buffer reply, dhcp_inbound* dhcp = nullptr);

} // namespace etherbeam::actors
