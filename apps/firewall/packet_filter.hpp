#pragma once
// The firewall's decision for one IPv4 packet that reached etherbeam's MAC,
// as netfilter takes it: find its flow (or, for an ICMP error, the flow it
// is about), apply a port forward to a new flow (prerouting), ask where it
// goes (to etherbeam: the input chain; elsewhere: the forward chain), walk the
// chain unless the flow is established, track a new flow that was accepted,
// with masquerade when it leaves by a masqueraded link, and say how the
// packet must be rewritten. Thread-safe: the flow table is behind one lock,
// held for a lookup and an update (a few hundred nanoseconds).
#include <functional>
#include <memory>
#include <mutex>
#include <optional>

#include "apps/firewall/flow_table.hpp"
#include "apps/firewall/nat_rewrite.hpp"
#include "apps/firewall/rule_set.hpp"
#include "protocols/ipv4.hpp"

namespace etherbeam::apps::firewall {

// Where the routing says a packet goes.
struct packet_path {
  bool to_us = false;                         // one of etherbeam's addresses, or a broadcast: input
  std::optional<actors::link_index> out_link; // forward: the link it leaves by; none: no route
  protocols::ipv4_address out_address;        // etherbeam's address on that link (masquerade's new source)
};

struct filter_decision {
  enum class kind : std::uint8_t {
    accept,    // pass it on (input: to etherbeam's applications; forward: to the next hop), rewritten as below
    drop,      // by a rule or a policy
    reject,    // by a rule: answer with a TCP RST or an ICMP port unreachable
    invalid,   // no flow it could belong to, and the rules did not accept invalid packets
    table_full // a new flow, accepted, but the flow table is full
  } what = kind::accept;
  const rule* by = nullptr; // the rule that decided; null for a policy or established flow
  connection_state state = connection_state::new_flow;
  packet_path path;
  std::optional<endpoint> new_source, new_destination; // NAT: rewrite before forwarding
  bool inside_error = false; // an ICMP error to rewrite with translate_error_to_inside(new_destination)
  bool skipped_rules = false; // established: accepted without walking the chain
};

struct filter_trace {
  std::function<void(const chain&, const rule&, bool matched)> rule_met;
};

class packet_filter {
public:
  packet_filter(std::shared_ptr<const rule_set> rules, flow_table::settings table);

  // `route(destination)`: where a packet to that address goes (after a port
  // forward changed it). `bytes`: the packet's size, for the counters.
  filter_decision decide(const packet_facts& facts, actors::link_index in_link, std::size_t bytes,
                         const std::function<packet_path(protocols::ipv4_address)>& route, clock::time_point now,
                         const filter_trace* trace = nullptr);

  // SIGHUP: new rules; the flows already tracked stay, and established ones
  // keep passing without meeting the new rules (as nftables reloads do).
  void replace_rules(std::shared_ptr<const rule_set> rules);
  std::shared_ptr<const rule_set> rules() const;

  std::size_t flows() const;
  std::size_t capacity() const;
  void expire(clock::time_point now);
  // One line per tracked flow (conntrack -L's), for the control socket.
  std::string list_flows(clock::time_point now) const;

private:
  std::optional<endpoint> masquerade_source(const flow_tuple& original, const packet_path& path, clock::time_point now);

  mutable std::mutex lock_;
  std::shared_ptr<const rule_set> rules_;
  flow_table table_;
};

// Whether a packet can open a flow: a TCP segment only with SYN alone.
bool may_open_flow(const packet_facts& facts);

} // namespace etherbeam::apps::firewall
