#pragma once
// Fragments of datagrams for etherbeam itself are put back together before
// dispatch, so that applications see whole datagrams as they would on any
// host (`ping -s 65000`); fragments for other hosts pass untouched, to a
// forwarding plane. One per link, on its ingress thread: no locks. Pure (no
// CAF, no I/O), the time passed in.
#include <functional>

#include "actors/named_counters.hpp"
#include "actors/stack_identity.hpp"
#include "protocols/ipv4_reassembly.hpp"

namespace etherbeam::actors {

// Made with the other counters while the server starts (a registry takes no
// new counters while frames flow), shared by every link's reassembly.
struct reassembly_counters {
  explicit reassembly_counters(counter_registry& c);
  named_counter &fragments, &reassembled, &duplicates, &overlaps, &too_large, &bad_length, &over_limit, &timed_out,
    &time_exceeded_sent;
};

class fragment_reassembly {
public:
  using clock = protocols::ipv4_reassembly::clock;

  explicit fragment_reassembly(reassembly_counters& counters, protocols::reassembly_limits limits = {})
      : table_(limits), c_(counters) {}

  enum class result : std::uint8_t {
    not_a_fragment, // or not for us: dispatch the frame as it is
    taken,          // held, or dropped and counted: nothing to dispatch
    whole,          // completed a datagram: dispatch whole_frame()
  };
  result take(protocols::byte_view frame, const stack_identity& me, clock::time_point now);
  protocols::byte_view whole_frame() const { return table_.whole_frame(); }

  // Discards datagrams past the timeout. RFC 1122 §3.2.1.4: for each whose
  // first fragment came, a Time Exceeded (fragment reassembly time exceeded)
  // to its source is given to `send`.
  void expire(clock::time_point now, const stack_identity& me,
              const std::function<void(protocols::byte_view frame)>& send);

private:
  protocols::ipv4_reassembly table_;
  reassembly_counters& c_;
};

} // namespace etherbeam::actors
