#pragma once
// etherbeam replay: a capture fed through the logic (every enabled
// application, as configured) with no network and no raw_binder, and what
// etherbeam would have sent written as a pcap. Deterministic: the actors run
// on CAF's test coordinator, one frame at a time until nothing is left to
// do, and their timers follow the capture's clock, so the same capture and
// configuration give the same output, byte for byte.
#include <filesystem>
#include <iosfwd>
#include <string>

#include "server/server_config.hpp"

namespace etherbeam::server {

struct replay_options {
  std::string input;  // pcap or pcapng; "-": stdin
  std::string output; // pcap; "-": stdout
  std::string link;   // the served link the capture was taken on; empty: the first
  // DHCP's state directory; empty: a scratch one, removed at the end (a
  // replay never touches a running server's leases).
  std::filesystem::path state_dir;
};

// What came of a replay, for its summary line and for tests.
struct replay_summary {
  std::size_t frames_read = 0;
  std::size_t frames_replayed = 0;
  std::size_t frames_own = 0; // sent from etherbeam's own MAC: its earlier answers, not input
  std::size_t frames_sent = 0;
};

// Runs it; says what was wrong (and what to do) on `errors` and returns a
// non-zero exit status when it cannot. `config` as etherbeam would serve it;
// its sockets, metrics file and state directory are replaced.
int replay(server_config config, const replay_options& options, std::ostream& errors,
           replay_summary* summary = nullptr);

} // namespace etherbeam::server
