#include "apps/router/netfilter_stage.hpp"

#include <algorithm>
#include <vector>

#include "apps/router/router_deciders.hpp"
#include "apps/firewall/reject_answer.hpp"

namespace etherbeam::apps::router {

using actors::inbound_frame;
using actors::verdict;
using namespace protocols;
namespace fw = firewall;

netfilter_stage::netfilter_stage(actors::counter_registry& c, judge_fn judge, hand_off_fn hand_off,
                                 std::shared_ptr<const route_table> routes,
                                 std::shared_ptr<const actors::link_directory> links,
                                 std::shared_ptr<const forwarding_decider> forwarding,
                                 std::shared_ptr<trace_buffer> traces,
                                 std::shared_ptr<actors::frame_reinjection> reinjection)
    : judge_(std::move(judge)), hand_off_(std::move(hand_off)), routes_(std::move(routes)), links_(std::move(links)),
      forwarding_(std::move(forwarding)), traces_(std::move(traces)), reinjection_(std::move(reinjection)),
      fragments_(forwarded_fragment_limits),
      fragments_held_(c.add("firewall.fragments_held")), fragments_dropped_(c.add("firewall.fragments_dropped")),
      reassembled_(c.add("firewall.fragments_reassembled")), reassembled_passed_(c.add("firewall.reassembled_passed")),
      dropped_(c.add("firewall.dropped")),
      rejected_(c.add("reply.firewall_reject")), invalid_(c.add("firewall.invalid")),
      table_full_(c.add("firewall.flow_table_full")), early_drops_(c.add("firewall.early_drops")),
      truncated_(c.add("firewall.truncated")),
      translated_(c.add("firewall.nat_translated")), skipped_rules_(c.add("firewall.established_fast_path")),
      rewrite_routed_(c.add("ignored.firewall_rewritten_not_routed")),
      handed_to_flow_owner_(c.add("firewall.to_flow_actor")), flow_owner_absent_(c.add("firewall.flow_actor_absent")) {}

fw::packet_path netfilter_stage::path_to(ipv4_address destination, const inbound_frame& in) const {
  fw::packet_path path;
  if (destination.is_limited_broadcast() || destination.is_multicast() || in.me->broadcast_owner(destination)) {
    path.to_us = true;
    return path;
  }
  for (actors::link_index i = 0; i < links_->size(); ++i)
    if (links_->identity(i)->owns(destination)) {
      path.to_us = true;
      return path;
    }
  auto hop = routes_->lookup(destination);
  if (!hop) return path;
  path.out_link = hop->link;
  path.out_address = links_->identity(hop->link)->address_facing(hop->address).value_or(ipv4_address{});
  return path;
}

const ipv4_packet* netfilter_stage::judged_packet_of(const inbound_frame& in, ipv4_packet& view) const {
  const auto& eth = *in.ethernet;
  if (eth.ethertype != ethertype::ipv4 || !in.me->mac) return nullptr;
  if (eth.destination != *in.me->mac && !eth.destination.is_broadcast()) return nullptr;
  if (eth.source == *in.me->mac || eth.source.is_group()) return nullptr; // the dispatcher drops these
  auto packet = ipv4_packet::check(in.ethernet_payload);
  if (!packet || !packet->checksum_valid()) return nullptr; // counted as malformed by the dispatcher
  view = *packet;
  return &view;
}

verdict netfilter_stage::decide(const inbound_frame& in, byte_buffer reply) const {
  ipv4_packet view;
  const auto* packet = judged_packet_of(in, view);
  if (!packet) return verdict::pass();
  // Fragments for etherbeam itself were put together at ingress: these are to forward.
  if (packet->is_fragment()) return defragment(in, *packet, reply);
  return decide_whole(in, *packet, reply);
}

verdict netfilter_stage::defragment(const inbound_frame& in, const ipv4_packet& fragment, byte_buffer reply) const {
  using outcome = ipv4_reassembly::outcome;
  std::vector<std::uint8_t> whole;
  {
    std::lock_guard guard(fragments_lock_);
    auto now = ipv4_reassembly::clock::now();
    // No Time Exceeded for these (Linux's defrag sends none either): only the destination host does.
    if (now - fragments_expired_at_ >= std::chrono::seconds(1)) {
      fragments_.expire(now, [](byte_view) {});
      fragments_expired_at_ = now;
    }
    auto link_header = in.bytes.first(in.bytes.size() - in.ethernet_payload.size());
    switch (fragments_.add(link_header, fragment, now)) {
      case outcome::held: return verdict::ignore(fragments_held_);
      case outcome::completed: whole = fragments_.whole_frame(); ++reassembled_; break;
      default: return verdict::ignore(fragments_dropped_);
    }
  }
  auto checked = ethernet_frame::check(byte_view(whole));
  if (!checked) return verdict::ignore(fragments_dropped_);
  auto eth = ethernet_repr::parse(*checked);
  inbound_frame joined = in;
  joined.bytes = byte_view(whole);
  joined.ethernet = &eth;
  joined.ethernet_payload = checked->payload();
  joined.ip_packet = nullptr;
  joined.ip = nullptr;
  joined.udp = nullptr;
  ipv4_packet view;
  const auto* packet = judged_packet_of(joined, view);
  if (!packet) return verdict::ignore(fragments_dropped_);
  auto v = decide_whole(joined, *packet, reply);
  if (v.outcome != verdict::kind::pass) return v;
  reinjection_->resume(in.link, actors::frame{byte_view(whole)}, this, in.here);
  return verdict::handed_off(reassembled_passed_);
}

verdict netfilter_stage::decide_whole(const inbound_frame& in, const ipv4_packet& packet, byte_buffer reply) const {
  if (!hand_off_) return act(in, packet, judge_, reply);
  auto facts = fw::read_packet_facts(packet);
  if (!facts) return verdict::ignore(truncated_);
  if (!hand_off_(*facts, in)) return verdict::ignore(flow_owner_absent_);
  return verdict::handed_off(handed_to_flow_owner_);
}

verdict netfilter_stage::judge_and_act(const inbound_frame& in, const judge_fn& judge, byte_buffer reply) const {
  ipv4_packet view;
  const auto* packet = judged_packet_of(in, view);
  if (!packet) return verdict::pass();
  return act(in, *packet, judge, reply);
}

verdict netfilter_stage::act(const inbound_frame& in, const ipv4_packet& packet, const judge_fn& judge,
                             byte_buffer reply) const {
  auto facts = fw::read_packet_facts(packet);
  if (!facts) return verdict::ignore(truncated_);

  std::vector<std::string> met;
  bool tracing = traces_->wanted(*facts);
  auto trace = fw::collecting_into(met);
  std::function<fw::packet_path(ipv4_address)> route = [&](ipv4_address a) { return path_to(a, in); };
  auto d = judge({*facts, in.link, packet.total_len(), route, fw::clock::now(), tracing ? &trace : nullptr});
  using kind = fw::filter_decision::kind;
  if (tracing)
    traces_->add(fw::describe_trace(links_->at(in.link).name, *facts, d,
                                    d.path.out_link ? links_->at(*d.path.out_link).name : std::string(), met));
  switch (d.what) {
    case kind::drop: return verdict::ignore(dropped_);
    case kind::invalid: return verdict::ignore(invalid_);
    case kind::table_full: return verdict::ignore(table_full_);
    case kind::reject: return reject(in, packet, reply);
    case kind::accept: break;
  }
  if (d.skipped_rules) ++skipped_rules_;
  if (d.made_room) ++early_drops_;
  if (!d.new_source && !d.new_destination && !d.error) return verdict::pass();
  return forward_rewritten(in, packet, d, reply);
}

verdict netfilter_stage::forward_rewritten(const inbound_frame& in, const ipv4_packet& sent_packet,
                                           const fw::filter_decision& d, byte_buffer reply) const {
  ++translated_;
  if (d.path.to_us) return verdict::pass(); // NAT towards etherbeam itself: nothing to rewrite for
  // The packet, rewritten, is routed as if it had arrived so.
  auto total = sent_packet.total_len();
  thread_local std::vector<std::uint8_t> copy;
  copy.assign(in.ethernet_payload.begin(), in.ethernet_payload.begin() + total);
  byte_buffer bytes(copy);
  if (d.error) {
    fw::translate_error(bytes, *d.error);
  } else {
    if (d.new_source) fw::translate(bytes, fw::packet_side::source, *d.new_source);
    if (d.new_destination) fw::translate(bytes, fw::packet_side::destination, *d.new_destination);
  }
  auto packet = ipv4_packet::check(byte_view(bytes));
  if (!packet) return verdict::ignore(rewrite_routed_);
  auto ip = ipv4_repr::parse(*packet);
  if (!ip) return verdict::ignore(rewrite_routed_);
  inbound_frame asked = in;
  asked.ethernet_payload = byte_view(bytes);
  asked.ip_packet = &*packet;
  asked.ip = &*ip;
  asked.unclaimed_because = &rewrite_routed_;
  auto sent_ip = ipv4_repr::parse(sent_packet);
  if (!sent_ip) return verdict::ignore(rewrite_routed_);
  inbound_frame sent = asked;
  sent.ethernet_payload = in.ethernet_payload;
  sent.ip_packet = &sent_packet;
  sent.ip = &*sent_ip;
  return forwarding_->decide_translated(asked, sent, reply);
}

verdict netfilter_stage::reject(const inbound_frame& in, const ipv4_packet& packet, byte_buffer reply) const {
  auto facing = in.me->address_facing(packet.source());
  if (!facing) return verdict::ignore(dropped_);
  auto len = fw::emit_reject(*in.ethernet, packet, *in.me->mac, *facing, reply);
  return len ? verdict::replied(rejected_, len) : verdict::ignore(dropped_);
}

} // namespace etherbeam::apps::router
