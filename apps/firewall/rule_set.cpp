#include "apps/firewall/rule_set.hpp"

#include <algorithm>

namespace etherbeam::apps::firewall {

using namespace protocols;

const char* name_of(action a) {
  switch (a) {
    case action::accept: return "accept";
    case action::drop: return "drop";
    case action::reject: return "reject";
  }
  return "?";
}

rule_set::rule_set(chain input, chain forward, std::vector<nat_rule> nat)
    : input_(std::move(input)), forward_(std::move(forward)), nat_(std::move(nat)),
      counters_(new packet_and_bytes[input_.rules.size() + forward_.rules.size() + 2]) {}

namespace {

bool in_set(const address_set& set, bool negated, ipv4_address a) {
  if (!set) return true;
  bool found = std::any_of(set->begin(), set->end(), [&](const ipv4_prefix& p) { return p.contains(a); });
  return found != negated;
}

} // namespace

bool matches(const rule& r, const rule_input& in) {
  const auto& f = *in.facts;
  if (r.in_link && !r.in_link->contains(in.in_link)) return false;
  if (r.out_link && (!in.out_link || !r.out_link->contains(*in.out_link))) return false;
  if (!in_set(r.source, r.source_negated, f.flow.source)) return false;
  if (!in_set(r.destination, r.destination_negated, f.flow.destination)) return false;
  if (r.protocol && *r.protocol != f.flow.protocol) return false;
  if (r.source_port || r.destination_port) {
    bool has_ports = (f.flow.protocol == ip_protocol::tcp || f.flow.protocol == ip_protocol::udp) && !f.is_fragment;
    if (!has_ports) return false;
    if (r.source_port && !r.source_port->contains(f.flow.source_port)) return false;
    if (r.destination_port && !r.destination_port->contains(f.flow.destination_port)) return false;
  }
  if (r.icmp_type && (f.flow.protocol != ip_protocol::icmp || f.is_fragment || f.icmp_type != *r.icmp_type))
    return false;
  if (r.states && !(r.states & (1u << static_cast<unsigned>(in.state)))) return false;
  return true;
}

packet_and_bytes& rule_set::counters_of(const chain& c, const rule* r) const {
  std::size_t base = &c == &input_ ? 0 : input_.rules.size() + 1;
  std::size_t at = r ? static_cast<std::size_t>(r - c.rules.data()) : c.rules.size();
  return counters_[base + at];
}

rule_set::outcome rule_set::evaluate(const chain& c, const rule_input& in, std::size_t bytes,
                                     const std::function<void(const rule&, bool)>& met) const {
  outcome out{c.policy, nullptr};
  for (const auto& r : c.rules) {
    bool hit = matches(r, in);
    if (met) met(r, hit);
    if (hit) {
      out = {r.verdict, &r};
      break;
    }
  }
  auto& n = counters_of(c, out.by);
  n.packets.fetch_add(1, std::memory_order_relaxed);
  n.bytes.fetch_add(bytes, std::memory_order_relaxed);
  return out;
}

void rule_set::for_each_counter(
  const std::function<void(const std::string&, std::uint64_t, std::uint64_t)>& f) const {
  for (const chain* c : {&input_, &forward_}) {
    for (const auto& r : c->rules) {
      auto& n = counters_of(*c, &r);
      f(r.name, n.packets.load(std::memory_order_relaxed), n.bytes.load(std::memory_order_relaxed));
    }
    auto& n = counters_of(*c, nullptr);
    f(c->name + ".policy", n.packets.load(std::memory_order_relaxed), n.bytes.load(std::memory_order_relaxed));
  }
}

} // namespace etherbeam::apps::firewall
