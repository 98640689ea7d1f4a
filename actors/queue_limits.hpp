#pragma once
// How much work may wait inside etherbeam. CAF mailboxes are unbounded, so
// admission is bounded where work enters: beyond these, frames are dropped
// and counted instead of queued, and memory stays bounded under any flood.
#include <cstdint>

namespace etherbeam::actors {

struct queue_limits {
  // Frame actors spawned and not yet finished. Each holds its frame and a
  // reply buffer: 8192 in flight is a few MiB at most.
  std::int64_t frames_in_flight = 8192;
  // DHCP messages handed to the lease manager and not yet decided: at its
  // measured ~8000 decisions/s, half a second of work. Older requests are
  // useless anyway: clients retransmit after 4 s (RFC 2131 §4.1).
  std::int64_t dhcp_backlog = 4096;
};

} // namespace etherbeam::actors
