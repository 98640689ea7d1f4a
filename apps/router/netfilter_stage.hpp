#pragma once
// The firewall and NAT where the router sees frames: a stage before dispatch
// (every frame, like netfilter's prerouting hook) that judges each IPv4
// packet sent to etherbeam's MAC by apps/firewall's packet filter — the input
// chain for packets to etherbeam, the forward chain for packets to route —
// and then lets it go on (to etherbeam's applications, or to the forwarding
// decider), drops it, answers a reject, or, when NAT rewrote it, routes the
// rewritten packet itself. The firewall lives in apps/firewall as pure
// decisions; the router runs it because only the router knows where a
// packet goes (the forward chain's oif, masquerade's address).
#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "actors/link_directory.hpp"
#include "actors/registration.hpp"
#include "actors/reinjection.hpp"
#include "apps/firewall/flow_judge.hpp"
#include "apps/firewall/packet_trace.hpp"
#include "apps/router/route_table.hpp"
#include "protocols/ipv4_reassembly.hpp"

namespace etherbeam::apps::router {

using firewall::trace_buffer;
using firewall::trace_request;
class forwarding_decider;

class netfilter_stage final : public actors::frame_decider {
public:
  // Judges a packet with the flows of whoever calls (see flow_actors.hpp).
  using judge_fn = std::function<firewall::filter_decision(const firewall::judged_packet&)>;
  // The actor models': gives the frame to the actor that owns its flow,
  // which calls judge_and_act; false when none runs (it is restarting).
  using hand_off_fn = std::function<bool(const firewall::packet_facts&, const actors::inbound_frame&)>;

  // `judge`: the locked model's, called here; or `hand_off`, the others'.
  // `reinjection`: where a datagram put together from fragments goes on.
  netfilter_stage(actors::counter_registry& counters, judge_fn judge, hand_off_fn hand_off,
                  std::shared_ptr<const route_table> routes, std::shared_ptr<const actors::link_directory> links,
                  std::shared_ptr<const forwarding_decider> forwarding, std::shared_ptr<trace_buffer> traces,
                  std::shared_ptr<actors::frame_reinjection> reinjection);
  actors::verdict decide(const actors::inbound_frame& in, protocols::byte_buffer reply) const override;

  // Judges `in` with `judge` and does what the decision says; verdict::pass:
  // it goes on through the frame path (the flow actors give it back, see
  // actors/reinjection.hpp).
  actors::verdict judge_and_act(const actors::inbound_frame& in, const judge_fn& judge,
                                protocols::byte_buffer reply) const;

private:
  actors::verdict decide_whole(const actors::inbound_frame& in, const protocols::ipv4_packet& packet,
                               protocols::byte_buffer reply) const;
  // judge_and_act for `packet`, the frame's IPv4 packet, already checked.
  actors::verdict act(const actors::inbound_frame& in, const protocols::ipv4_packet& packet, const judge_fn& judge,
                      protocols::byte_buffer reply) const;
  // Fragments of a packet to forward are put together before it is judged,
  // as netfilter's defrag does before conntrack: only the first fragment
  // carries the ports its flow is found by, and NAT must rewrite them all.
  // The whole datagram goes on through the frame path; the forwarding plane
  // fragments it again for its out-link.
  actors::verdict defragment(const actors::inbound_frame& in, const protocols::ipv4_packet& fragment,
                             protocols::byte_buffer reply) const;
  // The IPv4 packet of a frame the firewall judges, or null for one it lets pass.
  const protocols::ipv4_packet* judged_packet_of(const actors::inbound_frame& in, protocols::ipv4_packet& view) const;
  firewall::packet_path path_to(protocols::ipv4_address destination, const actors::inbound_frame& in) const;
  actors::verdict forward_rewritten(const actors::inbound_frame& in, const protocols::ipv4_packet& sent_packet,
                                    const firewall::filter_decision& d, protocols::byte_buffer reply) const;
  actors::verdict reject(const actors::inbound_frame& in, const protocols::ipv4_packet& packet,
                         protocols::byte_buffer reply) const;

  judge_fn judge_;
  hand_off_fn hand_off_;
  std::shared_ptr<const route_table> routes_;
  std::shared_ptr<const actors::link_directory> links_;
  std::shared_ptr<const forwarding_decider> forwarding_;
  std::shared_ptr<trace_buffer> traces_;
  std::shared_ptr<actors::frame_reinjection> reinjection_;
  mutable std::mutex fragments_lock_;
  // Bounded by memory as Linux's defrag is (ipfrag_high_thresh, 4 MiB), for
  // as many datagrams at once as a router's hosts may send.
  static constexpr protocols::reassembly_limits forwarded_fragment_limits{4096, 4 * 1024 * 1024, std::chrono::seconds(30)};
  mutable protocols::ipv4_reassembly fragments_;
  mutable protocols::ipv4_reassembly::clock::time_point fragments_expired_at_{};
  actors::named_counter &fragments_held_, &fragments_dropped_, &reassembled_, &reassembled_passed_;
  actors::named_counter &dropped_, &rejected_, &invalid_, &table_full_, &early_drops_, &truncated_, &translated_, &skipped_rules_,
    &rewrite_routed_, &handed_to_flow_owner_, &flow_owner_absent_;
};

} // namespace etherbeam::apps::router
