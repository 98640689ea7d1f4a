#pragma once
// The UDP echo service (RFC 862): every datagram to the port comes back to
// its sender, payload unchanged. The worked example of docs/WRITING_AN_APP.md:
// a stateless application in one folder.
#include <cstdint>
#include <memory>

#include "actors/named_counters.hpp"
#include "actors/registration.hpp"

namespace etherbeam::apps::udp_echo {

// RFC 862: "A server listens for UDP datagrams on UDP port 7."
inline constexpr std::uint16_t echo_port = 7;

class udp_echo final : public actors::frame_decider {
public:
  explicit udp_echo(actors::counter_registry& counters);
  actors::verdict decide(const actors::inbound_frame& in, protocols::byte_buffer reply) const override;

private:
  actors::named_counter &echoed_, &to_broadcast_, &from_a_service_port_;
};

} // namespace etherbeam::apps::udp_echo
