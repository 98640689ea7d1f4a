#pragma once
// The firewall's rules, as nftables means them: chains of ordered rules, the
// first rule that matches decides (accept, drop or reject), and the chain's
// policy decides what no rule matched. Two chains: `input` (packets to
// etherbeam itself) and `forward` (packets routed through it). Each rule
// counts the packets and bytes it matched. NAT rules say which flows get a
// new source (masquerade on a link) or destination (a port forward). Pure;
// read from text by rules_file.hpp.
#include <algorithm>
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "actors/link_index.hpp"
#include "apps/firewall/flow_table.hpp"

namespace etherbeam::apps::firewall {

enum class action : std::uint8_t { accept, drop, reject };
const char* name_of(action a);

struct ipv4_prefix {
  protocols::ipv4_address network;
  std::uint8_t length = 32;
  bool contains(protocols::ipv4_address a) const {
    return length == 0 || ((a.value ^ network.value) >> (32 - length)) == 0;
  }
};

struct port_range {
  std::uint16_t low = 0, high = 65535;
  bool contains(std::uint16_t p) const { return p >= low && p <= high; }
};

// A set of addresses: an inline list, or a named set (`set NAME { ... }`).
using address_set = std::shared_ptr<const std::vector<ipv4_prefix>>;

// The links a rule names: one (`iif b`), or every member of a bridge given a
// name (`iif lan`), as Linux's `iifname br0` matches whichever port.
struct link_set {
  std::vector<actors::link_index> links;
  bool contains(actors::link_index l) const { return std::find(links.begin(), links.end(), l) != links.end(); }
};

struct rule {
  std::size_t line = 0; // in the rules file
  std::string name;     // its counter's: given with `counter NAME`, else CHAIN.LINE
  std::optional<link_set> in_link, out_link;
  address_set source, destination; // null: any
  bool source_negated = false, destination_negated = false;
  std::optional<std::uint8_t> protocol;
  std::optional<port_range> source_port, destination_port; // TCP or UDP (protocol set)
  std::optional<std::uint8_t> icmp_type;
  std::uint8_t states = 0; // bit per connection_state; 0: any
  action verdict = action::accept;
  std::string text; // as written, for trace
};

struct chain {
  std::string name;
  action policy = action::accept;
  std::vector<rule> rules;
};

struct nat_rule {
  enum class kind : std::uint8_t { masquerade, port_forward } what = kind::masquerade;
  std::size_t line = 0;
  link_set link; // masquerade: the outgoing links; port forward: the incoming ones
  std::uint8_t protocol = 0;   // port forward: tcp or udp
  port_range ports;            // port forward: the destination ports it takes
  protocols::ipv4_address to;  // port forward: the inside host
  std::uint16_t to_port = 0;   // 0: the port the packet came to
};

// What a rule looks at.
struct rule_input {
  actors::link_index in_link = 0;
  std::optional<actors::link_index> out_link; // forward path only
  const packet_facts* facts = nullptr;
  connection_state state = connection_state::new_flow;
};

struct packet_and_bytes {
  std::atomic<std::uint64_t> packets{0}, bytes{0};
};

class rule_set {
public:
  rule_set(chain input, chain forward, std::vector<nat_rule> nat);

  const chain& input() const { return input_; }
  const chain& forward() const { return forward_; }
  const std::vector<nat_rule>& nat() const { return nat_; }

  struct outcome {
    action verdict = action::accept;
    const rule* by = nullptr; // null: the chain's policy
  };
  // Walks `c` (input() or forward()); counts the match against its rule or
  // the policy; `met`, when given, sees every rule walked and whether it matched.
  outcome evaluate(const chain& c, const rule_input& in, std::size_t bytes,
                   const std::function<void(const rule&, bool matched)>& met = {}) const;

  // Every rule's counters (and each chain's policy's, named CHAIN.policy).
  void for_each_counter(const std::function<void(const std::string& name, std::uint64_t packets,
                                                 std::uint64_t bytes)>& f) const;

private:
  packet_and_bytes& counters_of(const chain& c, const rule* r) const;
  chain input_, forward_;
  std::vector<nat_rule> nat_;
  std::unique_ptr<packet_and_bytes[]> counters_; // input's rules, input's policy, forward's rules, forward's policy
};

bool matches(const rule& r, const rule_input& in);

} // namespace etherbeam::apps::firewall
