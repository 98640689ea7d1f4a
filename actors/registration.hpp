#pragma once
// The seam between the runtime and an application. An application registers
// what it handles; the dispatcher routes each frame to the one registration
// that claims it, and counts what came of it. Nothing in the frame path names
// an application. Pure: no CAF, no I/O (a stateful application's decider
// hands off through its own actor, see apps/dhcp/dhcp_intake.hpp).
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "actors/link_index.hpp"
#include "actors/stack_identity.hpp"
#include "actors/verdict.hpp"
#include "protocols/ethernet.hpp"
#include "protocols/ipv4.hpp"
#include "protocols/udp.hpp"

namespace caf {
class execution_unit;
}

namespace etherbeam::actors {

// What the dispatcher has learned about a frame by the time it asks an
// application. The layers it did not reach are null.
struct inbound_frame {
  protocols::byte_view bytes;           // the whole frame
  const protocols::ethernet_repr* ethernet = nullptr;
  protocols::byte_view ethernet_payload;
  const protocols::ipv4_packet* ip_packet = nullptr;
  const protocols::ipv4_repr* ip = nullptr;
  // IPv4: the owned address it is for (for a broadcast, the owned address of
  // that subnet), and whether it came as a broadcast.
  protocols::ipv4_address local_address;
  bool to_broadcast = false;
  const protocols::udp_repr* udp = nullptr;
  const stack_identity* me = nullptr; // who we are on the link it came in on
  link_index link = 0;                 // replies to it leave by this link's sender
  // The scheduler thread deciding, or null: a stateful application enqueues
  // to its actor with it, so that the actor runs next on the same thread.
  caf::execution_unit* here = nullptr;
  // For the unclaimed-frames decider: why no local registration took it (not
  // our MAC, not our address, no service...), to count it under when it is
  // not the forwarding plane's either.
  named_counter* unclaimed_because = nullptr;
};

// Room for a reply beyond the request's size: an ICMP error quoting a short
// datagram (56 bytes of IP and ICMP, on Ethernet with two VLAN tags).
inline constexpr std::size_t min_reply_room = 128;

// An application's decision for the frames it registered for. Called from
// many frame actors at once: const, and any state it reads is immutable,
// atomic or locked. A reply is written into `reply`, which holds as many
// bytes as the frame, and at least min_reply_room: no reply is larger than
// its request but a rate-limited error (no amplification); larger replies
// are a stateful application's to send.
class frame_decider {
public:
  virtual ~frame_decider() = default;
  virtual verdict decide(const inbound_frame& in, protocols::byte_buffer reply) const = 0;
  // Frames to send unasked when etherbeam comes up on a link, or its MAC
  // there changes (an ARP Announcement, RFC 5227 §2.3); `send` takes each.
  virtual void announce(const stack_identity& /*me*/,
                        const std::function<void(protocols::byte_view frame)>& /*send*/) const {}
};

// What a registration claims.
struct frame_match {
  enum class kind : std::uint8_t {
    every_frame, // a stage before dispatch (tap, firewall): sees every well-formed
                 // Ethernet frame first, in registration order; verdict::pass goes on
    ethertype,   // frames of this ethertype to our MAC or broadcast (not IPv4: see below)
    ip_protocol, // IPv4 to an owned address, not UDP or TCP (those go by port)
    udp_port,    // UDP to an owned address (or its subnet broadcast) and port
    tcp_port,    // TCP likewise
    unclaimed,   // frames no local registration takes (not our MAC or address, no
                 // service): a forwarding plane's; at most one
    udp_unserved, // UDP to an owned address on a port nobody registered: the
                  // host's "port unreachable"; at most one
    tcp_unserved, // TCP likewise: the host's reset; at most one
    ip_protocol_unserved, // IPv4 to an owned address of a protocol nobody registered
                          // (not UDP or TCP): the host's "protocol unreachable"; at most one
  };
  kind what = kind::every_frame;
  std::uint16_t number = 0; // the ethertype, protocol or port
  // udp_port: also datagrams from hosts that have no address yet (source
  // 0.0.0.0, to 255.255.255.255), which a DHCP server must take.
  bool from_unconfigured_hosts = false;

  static frame_match every() { return {kind::every_frame}; }
  static frame_match of_ethertype(std::uint16_t t) { return {kind::ethertype, t}; }
  static frame_match of_ip_protocol(std::uint8_t p) { return {kind::ip_protocol, p}; }
  static frame_match udp(std::uint16_t port, bool unconfigured = false) {
    return {kind::udp_port, port, unconfigured};
  }
  static frame_match tcp(std::uint16_t port) { return {kind::tcp_port, port}; }
  static frame_match unclaimed_frames() { return {kind::unclaimed}; }
  static frame_match unserved_udp() { return {kind::udp_unserved}; }
  static frame_match unserved_tcp() { return {kind::tcp_unserved}; }
  static frame_match unserved_ip_protocol() { return {kind::ip_protocol_unserved}; }
};

struct registration {
  std::string application; // named in errors about clashing registrations
  frame_match match;
  std::shared_ptr<const frame_decider> decider;
};

} // namespace etherbeam::actors
