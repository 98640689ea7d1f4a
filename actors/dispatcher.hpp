#pragma once
// The frame path: checks the layers every application shares (Ethernet, and
// for IPv4 the addresses and UDP), then hands the frame to the registration
// that claims it. Pure (no CAF, no I/O) so that every branch is unit-tested
// and fuzzed with real frames; built once at start, then shared read-only by
// every frame actor.
#include <memory>
#include <stdexcept>
#include <vector>

#include "actors/named_counters.hpp"
#include "actors/registration.hpp"

namespace etherbeam::actors {

// Two registrations claim the same thing; names both applications.
struct registration_clash : std::invalid_argument {
  using std::invalid_argument::invalid_argument;
};

class dispatcher {
public:
  // Makes the dispatcher's own counters in `counters`, which must outlive it.
  // Throws registration_clash when two registrations claim the same frames.
  dispatcher(std::vector<registration> registrations, counter_registry& counters);

  // Decides one frame; a reply, if any, is written into `reply`, which must
  // hold at least frame.size() bytes. The verdict is not yet recorded.
  // `resume_after`: a stage that handed the frame to its own actor and now
  // gives it back (see reinjection.hpp); the stages up to it are not asked again.
  verdict decide(protocols::byte_view frame, const stack_identity& me, protocols::byte_buffer reply,
                 caf::execution_unit* here = nullptr, link_index link = 0,
                 const frame_decider* resume_after = nullptr) const;

  // Every registration's announcements for `me` (see frame_decider::announce).
  void announce(const stack_identity& me, const std::function<void(protocols::byte_view frame)>& send) const;

  const std::vector<registration>& registrations() const { return registrations_; }

private:
  struct port_entry {
    std::uint16_t number;
    const frame_decider* decider;
    bool from_unconfigured_hosts;
  };
  static const frame_decider* find(const std::vector<port_entry>& table, std::uint16_t number);

  // The reprs an inbound_frame points to, made as the layers are parsed:
  // they live as long as the decision.
  struct parsed_layers {
    protocols::ipv4_packet packet;
    protocols::ipv4_repr ip;
    protocols::udp_repr udp;
  };

  verdict decide_ipv4(inbound_frame& in, parsed_layers& layers, protocols::byte_buffer reply) const;
  verdict decide_udp(inbound_frame& in, parsed_layers& layers, protocols::byte_buffer reply) const;
  verdict decide_tcp(inbound_frame& in, protocols::byte_buffer reply) const;
  // A frame no local registration takes: the forwarding plane's, or dropped.
  verdict unclaimed(const inbound_frame& in, protocols::byte_buffer reply, named_counter& reason) const;
  // UDP to a port that also takes hosts without an address, decided before
  // the address checks other traffic gets (a DHCP DISCOVER comes from 0.0.0.0).
  std::optional<verdict> early_udp(inbound_frame& in, parsed_layers& layers, protocols::byte_buffer reply) const;

  std::vector<registration> registrations_;
  std::vector<const frame_decider*> stages_;
  std::vector<port_entry> ethertypes_, ip_protocols_, udp_ports_, tcp_ports_;
  bool any_unconfigured_udp_ = false;
  const frame_decider* unclaimed_ = nullptr;
  const frame_decider* udp_unserved_ = nullptr;
  const frame_decider* tcp_unserved_ = nullptr;
  const frame_decider* ip_protocol_unserved_ = nullptr;

  layer_counters &ethernet_, &ipv4_, &udp_, &tcp_;
  named_counter &own_mac_unknown_, &own_source_mac_, &group_source_mac_, &not_our_mac_,
    &not_our_address_, &bad_source_address_, &unsupported_ethertype_, &unsupported_ip_protocol_,
    &no_udp_service_, &no_tcp_service_, &fragment_;
};

} // namespace etherbeam::actors
