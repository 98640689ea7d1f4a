#include "apps/udp_echo/udp_echo.hpp"

#include "protocols/frame_repr.hpp"

namespace etherbeam::apps::udp_echo {

using namespace protocols;

namespace {

// Ports of services that answer whatever reaches them: echoing to one of
// them starts a loop that never ends (the echo-chargen ping-pong, CVE-1999-0103).
bool answers_everything(std::uint16_t port) {
  switch (port) {
    case 0: case 7: case 13: case 17: case 19: case 37: return true;
    default: return false;
  }
}

} // namespace

udp_echo::udp_echo(actors::counter_registry& c)
    : echoed_(c.add("reply.udp_echo")), to_broadcast_(c.add("ignored.udp_echo_to_broadcast")),
      from_a_service_port_(c.add("ignored.udp_echo_from_service_port")) {}

actors::verdict udp_echo::decide(const actors::inbound_frame& in, byte_buffer out) const {
  // One datagram to a broadcast address would make every host answer it.
  if (in.to_broadcast) return actors::verdict::ignore(to_broadcast_);
  if (answers_everything(in.udp->source_port)) return actors::verdict::ignore(from_a_service_port_);
  frame_repr reply{answering(*in.ethernet, *in.me->mac),
                   ipv4_datagram_repr{answering(*in.ip, in.local_address),
                                      udp_repr{in.udp->destination_port, in.udp->source_port, in.udp->payload}}};
  return actors::verdict::replied(echoed_, reply.emit(out));
}

} // namespace etherbeam::apps::udp_echo
