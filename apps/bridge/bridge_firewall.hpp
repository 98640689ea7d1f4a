#pragma once
// The bridge's firewall, as Linux's bridge netfilter runs iptables on bridged
// traffic: the rules file's forward chain judges each IPv4 packet the bridge
// passes between member links (iif and oif are member links), its input
// chain those for etherbeam itself, with connection tracking as the router's
// firewall has it (apps/firewall, one locked flow table). A flooded packet
// meets the forward chain once for each link it would leave by, as
// br_forward does. The bridge passes frames unchanged, so a rules file with
// NAT is refused at start (nat_rule_line). Non-IPv4 frames (ARP above all)
// cross unjudged; VLAN-tagged IPv4 is judged like untagged. Fragments are
// put together first (gather), as bridge netfilter's defrag does before
// conntrack: only the first holds the ports a flow is found by.
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "actors/registration.hpp"
#include "apps/firewall/packet_filter.hpp"
#include "apps/firewall/packet_trace.hpp"
#include "protocols/ipv4_reassembly.hpp"

namespace etherbeam::apps::bridge {

class bridge_firewall {
public:
  // `link_names`: in link_index order, for `etherbeam trace`'s lines.
  bridge_firewall(actors::counter_registry& counters, std::shared_ptr<const firewall::rules_in_force> rules,
                  firewall::flow_table::settings table, std::vector<std::string> link_names);

  // Whether the frame `in` may leave by member link `out` (nullopt: go on to
  // etherbeam's own applications; a packet not for etherbeam's addresses is
  // then not judged: it is the router's). nullopt: it may; else what became
  // of it: dropped, or, for a unicast packet, a reject written into `reply`.
  std::optional<actors::verdict> stop(const actors::inbound_frame& in, std::optional<actors::link_index> out,
                                      protocols::byte_buffer reply) const;

  // A fragment crossing the bridge: held (the verdict says so, or why it was
  // dropped) until its datagram is whole, then that datagram's frame, to be
  // judged and bridged as one (and fragmented again for the link it leaves by).
  std::variant<actors::verdict, std::vector<std::uint8_t>> gather(const actors::inbound_frame& in,
                                                                  const protocols::ipv4_packet& fragment) const;

  std::size_t flows() const { return filter_.flows(); }
  std::size_t capacity() const { return capacity_; }
  std::string list_flows() const { return filter_.list_flows(firewall::clock::now()); }
  firewall::trace_buffer& traces() const { return *traces_; }

private:
  actors::verdict reject(const actors::inbound_frame& in, const protocols::ipv4_packet& packet,
                         protocols::byte_buffer reply) const;

  mutable firewall::packet_filter filter_;
  std::size_t capacity_;
  std::vector<std::string> link_names_;
  // Watched by `etherbeam trace` with the router's, if one runs.
  std::shared_ptr<firewall::trace_buffer> traces_ = firewall::trace_buffers::of_process().open("bridge");
  mutable std::mutex fragments_lock_;
  // Bounded as the router's are (Linux's ipfrag_high_thresh, 4 MiB, 30 s).
  mutable protocols::ipv4_reassembly fragments_{{4096, 4 * 1024 * 1024, std::chrono::seconds(30)}};
  mutable protocols::ipv4_reassembly::clock::time_point fragments_expired_at_{};
  actors::named_counter &dropped_, &rejected_, &invalid_, &table_full_, &early_drops_, &truncated_, &bad_header_, &skipped_rules_;
  actors::named_counter &fragments_held_, &fragments_dropped_, &reassembled_;
};

// The line of the first NAT rule in `rules`, which a bridge cannot apply; 0: none.
std::size_t nat_rule_line(const firewall::rule_set& rules);

} // namespace etherbeam::apps::bridge
