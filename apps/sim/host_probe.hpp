#pragma once
// A simulated host asked to look for another address on its link, as
// arping and ping would from a real one: an ARP request (tried three times,
// a second apart), then, for a ping, echo requests one at a time, each
// waited for up to a second. Pure: frames in, frames out, a report.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "protocols/addresses.hpp"
#include "protocols/bytes.hpp"

namespace etherbeam::apps::sim {

enum class probe_kind : std::uint8_t { arp, ping };

struct probe_request {
  probe_kind kind = probe_kind::arp;
  protocols::ipv4_address target;
  unsigned count = 1; // echo requests, for a ping
};

// The host doing the looking.
struct probe_source {
  protocols::mac_address mac;
  protocols::ipv4_interface address;
  std::uint16_t vlan = 0;
  std::uint16_t echo_identifier = 0;
};

class host_probe {
public:
  using clock = std::chrono::steady_clock;
  static constexpr auto wait = std::chrono::seconds(1);
  static constexpr unsigned arp_tries = 3;

  host_probe(probe_request request, probe_source source);

  // The first frame: the ARP request.
  std::vector<std::uint8_t> begin(clock::time_point now);
  // A frame that reached the host: whether it answers this probe, and then
  // what to send next (nothing once done()).
  struct step {
    bool answered = false;
    std::optional<std::vector<std::uint8_t>> send;
  };
  step on_frame(protocols::byte_view frame, clock::time_point now);
  // Nothing came by deadline(): try again, or go on, or finish.
  step on_timeout(clock::time_point now);

  clock::time_point deadline() const { return deadline_; }
  bool done() const { return done_; }
  // As arping and ping summarise, one or two lines.
  std::string report() const;

private:
  std::vector<std::uint8_t> arp_request() const;
  std::vector<std::uint8_t> echo_request() const;
  step next_echo(clock::time_point now);

  probe_request request_;
  probe_source source_;
  std::optional<protocols::mac_address> target_mac_;
  std::chrono::microseconds arp_rtt_{};
  unsigned arp_sent_ = 0, echoes_sent_ = 0, echoes_received_ = 0;
  std::vector<std::chrono::microseconds> echo_rtts_;
  clock::time_point sent_at_{}, deadline_{};
  bool done_ = false;
};

} // namespace etherbeam::apps::sim
