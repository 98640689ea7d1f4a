#pragma once
// IPv4 reassembly (RFC 791 §3.2, RFC 815): fragments of one datagram, keyed
// by source, destination, identification and protocol, are held until they
// cover it from offset 0 to the end the last fragment gives. Memory is
// bounded as Linux bounds it (ipfrag_high_thresh, ipfrag_time): a cap on
// datagrams and bytes held, and a timeout. A fragment overlapping another
// (but not an exact duplicate) discards its whole datagram, as Linux has done
// since 4.19: overlaps are how firewalls are evaded, never how hosts send.
// Pure: the caller passes the time.
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <vector>

#include "protocols/ipv4.hpp"

namespace etherbeam::protocols {

struct reassembly_limits {
  std::size_t max_datagrams = 64;            // being reassembled at once
  std::size_t max_bytes = 4 * 1024 * 1024;   // fragment bytes held (Linux: 4 MiB)
  std::chrono::seconds timeout{30};          // Linux's ipfrag_time
};

class ipv4_reassembly {
public:
  using clock = std::chrono::steady_clock;

  enum class outcome : std::uint8_t {
    held,         // kept; the datagram is not whole yet
    duplicate,    // the same span as one already held: ignored
    completed,    // the datagram is whole: see whole_frame()
    overlap,      // overlaps a held fragment: the datagram is discarded
    too_large,    // would end past 65,535 bytes, or past the end the last fragment gave
    bad_fragment, // not the last, yet not a multiple of 8 bytes long
    over_limit,   // no room under the limits: dropped
  };

  explicit ipv4_reassembly(reassembly_limits limits = {}) : limits_(limits) {}

  // One fragment (is_fragment() is true), with the bytes that came before it
  // in its frame (Ethernet header, VLAN tags). On `completed`, whole_frame()
  // holds the datagram behind the link header of its first fragment, its
  // header that fragment's with the fragment fields cleared and the length
  // and checksum made right.
  outcome add(byte_view link_header, const ipv4_packet& fragment, clock::time_point now);
  const std::vector<std::uint8_t>& whole_frame() const { return whole_; }

  // Discards datagrams older than the timeout; returns how many. For each
  // whose first fragment had come, `first` gets that fragment's frame, so
  // that the caller can send Time Exceeded (RFC 792, code 1).
  template <class F> std::size_t expire(clock::time_point now, F&& first) {
    std::size_t n = 0;
    for (auto it = held_.begin(); it != held_.end();) {
      if (now - it->second.started < limits_.timeout) {
        ++it;
        continue;
      }
      if (!it->second.first_frame.empty()) first(byte_view(it->second.first_frame));
      it = discard(it);
      ++n;
    }
    return n;
  }

  std::size_t datagrams() const { return held_.size(); }
  std::size_t bytes() const { return bytes_; }

private:
  struct key {
    std::uint32_t source, destination;
    std::uint16_t identification;
    std::uint8_t protocol;
    auto operator<=>(const key&) const = default;
  };
  struct datagram {
    clock::time_point started;
    std::map<std::size_t, std::vector<std::uint8_t>> pieces; // by offset in bytes
    std::optional<std::size_t> end;                          // known once the last fragment came
    std::vector<std::uint8_t> first_frame;                   // link header + first fragment
    std::size_t link_header_len = 0;
    std::size_t bytes = 0;
  };
  using table = std::map<key, datagram>;

  table::iterator discard(table::iterator it);
  bool whole(const datagram& d) const;
  void assemble(const datagram& d);

  reassembly_limits limits_;
  table held_;
  std::size_t bytes_ = 0;
  std::vector<std::uint8_t> whole_;
};

} // namespace etherbeam::protocols
