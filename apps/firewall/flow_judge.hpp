#pragma once
// The firewall's decision for one IPv4 packet that reached etherbeam's MAC,
// as netfilter takes it: find its flow (or, for an ICMP error, the flow it
// is about), apply a port forward to a new flow (prerouting), ask where it
// goes (to etherbeam: the input chain; elsewhere: the forward chain), walk the
// chain unless the flow is established, track a new flow that was accepted,
// with masquerade when it leaves by a masqueraded link, and say how the
// packet must be rewritten. Pure; the flows are in the store the caller's
// concurrency model gives (flow_store.hpp).
#include <atomic>
#include <functional>
#include <memory>
#include <optional>

#include "apps/firewall/flow_store.hpp"
#include "apps/firewall/nat_rewrite.hpp"
#include "apps/firewall/rule_set.hpp"

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
  std::optional<error_translation> error; // NAT: an ICMP error about a translated flow, rewritten so
  bool skipped_rules = false; // established: accepted without walking the chain
  bool made_room = false;     // new: an unanswered flow was dropped to track it
};

struct filter_trace {
  std::function<void(const chain&, const rule&, bool matched)> rule_met;
};

// What a packet is judged with besides its store of flows.
struct judged_packet {
  const packet_facts& facts;
  actors::link_index in_link = 0;
  std::size_t bytes = 0; // the packet's size, for the counters
  // Where a packet to that address goes (after a port forward changed it).
  const std::function<packet_path(protocols::ipv4_address)>& route;
  clock::time_point now;
  const filter_trace* trace = nullptr;
};

filter_decision judge(flow_store& flows, const rule_set& rules, const judged_packet& packet);

// Whether a packet can open a flow: a TCP segment only with SYN alone.
bool may_open_flow(const packet_facts& facts);
// Whether TCP ever sends this combination of flags (PSH, ECE and CWR aside):
// SYN+FIN, a lone FIN, none at all, nmap's Xmas FIN+PSH+URG are conntrack's
// "invalid" in any flow (Linux's tcp_valid_flags).
bool valid_tcp_flags(std::uint8_t flags);

// The tuple a packet's flow is found by: its own, or for an ICMP error the
// flow it quotes, as that flow's answers carry it.
inline flow_tuple lookup_tuple(const packet_facts& facts) {
  return facts.is_icmp_error ? facts.quoted.reversed() : facts.flow;
}

// The rules every model judges by; SIGHUP swaps them while packets are judged.
class rules_in_force {
public:
  explicit rules_in_force(std::shared_ptr<const rule_set> rules) : rules_(std::move(rules)) {}
  std::shared_ptr<const rule_set> get() const { return rules_.load(std::memory_order_acquire); }
  void replace(std::shared_ptr<const rule_set> rules) { rules_.store(std::move(rules), std::memory_order_release); }

private:
  std::atomic<std::shared_ptr<const rule_set>> rules_;
};

} // namespace etherbeam::apps::firewall
