#pragma once
// Counters for everything the logic server does with frames. Plain atomics,
// shared by the actors that bump them: a message per increment would cost more
// than the work being counted.
#include <array>
#include <atomic>
#include <cstdint>
#include <string>

#include "actors/dhcp_server.hpp"
#include "actors/verdict.hpp"

namespace etherbeam::actors {

using counter = std::atomic<std::uint64_t>;

struct stack_counters {
  counter frames_in{0};
  counter oversize_frames{0};       // datagrams larger than the ingress buffer
  counter frames_refused_untrusted_sender{0}; // from neither raw_binder's user, root nor our own
  counter ingress_receive_errors{0};
  counter replies_sent{0};          // handed to the binder's socket
  counter replies_dropped_binder_absent{0};
  counter replies_dropped_binder_busy{0};
  counter reply_send_errors{0};
  counter frame_actor_failures{0};  // per-frame actors that threw
  counter actor_restarts{0};        // long-lived actors restarted by a supervisor
  counter handed_to_dhcp{0};        // DHCP messages passed to the lease manager
  counter dhcp_server_absent{0};    // ... while no lease manager was running
  // Admission (queue_limits): gauges of work inside, and what was refused.
  std::atomic<std::int64_t> frames_in_flight{0};
  std::atomic<std::int64_t> dhcp_backlog{0};
  counter overload_frames_dropped{0}; // too many frames being decided already
  counter overload_dhcp_dropped{0};   // the lease manager that far behind
  std::array<counter, std::size_t(dhcp_event::count_)> dhcp{};
  std::array<counter, 9> dhcp_received{}; // by message type, 1..8
  std::array<counter, 9> dhcp_sent{};
  counter dhcp_pool_size{0};        // gauges, refreshed by the lease manager
  counter dhcp_active_leases{0};
  counter dhcp_replies_too_large{0}; // beyond the client's maximum message size
  counter journal_commits{0};       // fdatasyncs of the lease journal
  counter journal_records{0};
  counter journal_commit_us{0};     // total time spent committing, microseconds
  counter journal_compactions{0};
  counter journal_write_errors{0};  // commits that failed (a full disk, an I/O error)
  counter dhcp_unanswered_journal_failing{0}; // lease changes refused meanwhile: no ACK
  counter dhcp_declines_rate_limited{0};
  std::array<counter, std::size_t(reply_kind::count_)> replies{};
  std::array<counter, std::size_t(ignore_reason::count_)> ignored{};
  std::array<std::array<counter, std::size_t(protocols::parse_error::count_)>,
             std::size_t(layer::count_)>
    malformed{};

  void record(const verdict& v);
  // "name=value ..." for every counter that is not zero (and frames_in always).
  std::string render() const;
};

} // namespace etherbeam::actors
