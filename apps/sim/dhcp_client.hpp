#pragma once
// The client side of DHCP (RFC 2131 §4.4) as a pure state machine, for a
// simulated host: events in (started, a server's answer, a timer, the ARP
// check's outcome, released), what to send out. No I/O, no clock of its own:
// every event carries the time. Small (about 80 bytes), so that a hundred
// thousand hosts each hold one.
#include <chrono>
#include <cstdint>
#include <optional>

#include "protocols/addresses.hpp"
#include "protocols/dhcp.hpp"

namespace etherbeam::apps::sim {

using sim_clock = std::chrono::steady_clock;

enum class client_state : std::uint8_t {
  init,        // nothing yet: DISCOVER next
  selecting,   // DISCOVER sent, waiting for an OFFER
  requesting,  // REQUEST for an offer sent, waiting for the ACK
  checking,    // ACKed: ARP-probing the address before using it (§4.4.1)
  bound,       // the address is ours until T1
  renewing,    // past T1: REQUEST unicast to the server that gave it
  rebinding,   // past T2: REQUEST broadcast to any server
  rebooting,   // INIT-REBOOT: REQUEST for the remembered address (§3.2)
  released,    // RELEASE sent: the host is going away
};
const char* to_string(client_state s);

struct client_timing {
  // Retransmission (§4.1): 4 s, doubled each time up to 64 s, each ±1 s.
  std::chrono::milliseconds first_wait{4000}, max_wait{64000}, jitter{1000};
  // REQUESTs for an offer (or in INIT-REBOOT) before starting over.
  std::uint8_t request_attempts = 4;
  // After a DECLINE, at least 10 s before the next DISCOVER (§3.1.5).
  std::chrono::milliseconds after_decline{10000};
  // How long the ARP check listens for an answer (RFC 5227's PROBE_WAIT scale).
  std::chrono::milliseconds probe_wait{1000};
  // RENEWING and REBINDING wait half the time left, but at least this (§4.4.5).
  std::chrono::milliseconds min_renew_wait{60000};
};

// A message the client sends; the host builds the frame (its MAC, the
// parameter request list, its name) around it.
struct client_message {
  protocols::dhcp_message_type type = protocols::dhcp_message_type::discover;
  std::uint32_t transaction_id = 0;
  std::uint16_t seconds = 0;                        // since this exchange began
  protocols::ipv4_address client_address;           // ciaddr: RENEWING, REBINDING, RELEASE
  std::optional<protocols::ipv4_address> requested;  // option 50
  std::optional<protocols::ipv4_address> server_id;  // option 54
  std::optional<protocols::ipv4_address> unicast_to; // the server (RENEWING, RELEASE); none: broadcast
};

// What a client acts on in a server's message.
struct server_answer {
  protocols::dhcp_message_type type = protocols::dhcp_message_type::offer;
  std::uint32_t transaction_id = 0;
  protocols::ipv4_address your_address;
  std::optional<protocols::ipv4_address> server_id;
  std::optional<std::uint32_t> lease_time, renewal_time, rebinding_time; // seconds
  static server_answer from(const protocols::dhcp_repr& m);
};

struct client_lease {
  protocols::ipv4_address address, server;
  sim_clock::time_point obtained;
  std::uint32_t lease_s = 0, t1_s = 0, t2_s = 0;
  sim_clock::time_point t1() const { return obtained + std::chrono::seconds(t1_s); }
  sim_clock::time_point t2() const { return obtained + std::chrono::seconds(t2_s); }
  sim_clock::time_point ends() const { return obtained + std::chrono::seconds(lease_s); }
};

// What an event asks of the host: a message to send, an ARP probe to make.
struct client_step {
  std::optional<client_message> send;
  std::optional<protocols::ipv4_address> probe;
};

class dhcp_client {
public:
  explicit dhcp_client(std::uint64_t seed) : random_(seed ? seed : 0x9e3779b97f4a7c15ull) {}

  // INIT (a DISCOVER), or INIT-REBOOT when it remembers an address.
  client_step start(sim_clock::time_point now, const client_timing& t,
                    std::optional<protocols::ipv4_address> remembered = std::nullopt);
  // A server's message to this client (the host checked chaddr); others' are ignored.
  client_step on_answer(const server_answer& a, sim_clock::time_point now, const client_timing& t);
  // Call at next_timer() or later.
  client_step on_timer(sim_clock::time_point now, const client_timing& t);
  // The ARP check heard the address answered: DECLINE it.
  client_step on_conflict(sim_clock::time_point now, const client_timing& t);
  // The host goes away: RELEASE what it holds.
  client_step release();

  client_state state() const { return state_; }
  sim_clock::time_point next_timer() const { return timer_; }
  // Bound (or renewing, rebinding): the address held.
  const std::optional<client_lease>& lease() const { return lease_; }
  // When the last DISCOVER (or INIT-REBOOT REQUEST) of this exchange began.
  sim_clock::time_point exchange_began() const { return began_; }
  std::uint8_t attempts() const { return attempts_; }
  // The address offered or asked for (what CHECKING probes).
  protocols::ipv4_address offered() const { return offered_; }

private:
  client_step discover(sim_clock::time_point now, const client_timing& t);
  client_step request(sim_clock::time_point now, const client_timing& t);
  client_step renew_or_rebind(sim_clock::time_point now, const client_timing& t);
  void retransmit_after(sim_clock::time_point now, const client_timing& t);
  std::uint16_t seconds_since_began(sim_clock::time_point now) const;
  std::uint64_t next_random();

  std::uint64_t random_;
  sim_clock::time_point timer_{}, began_{}, request_sent_{};
  std::optional<client_lease> lease_;
  // SELECTING's chosen offer, or the address INIT-REBOOT asks for.
  protocols::ipv4_address offered_, offered_by_;
  std::uint32_t offer_lease_s_ = 0, offer_t1_s_ = 0, offer_t2_s_ = 0;
  std::uint32_t xid_ = 0;
  client_state state_ = client_state::init;
  std::uint8_t attempts_ = 0;
};

} // namespace etherbeam::apps::sim
