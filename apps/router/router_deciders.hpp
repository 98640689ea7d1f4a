#pragma once
// The router's deciders, run where every frame is decided (pure: the actors
// are reached through the functions given):
// - forwarding: IPv4 frames sent to our MAC for an address that is not ours
//   (the dispatcher's unclaimed frames); checks and routes each, answers with
//   an ICMP error when it must (rate-limited), and hands the rest, TTL lowered,
//   to the out-link's neighbour actor;
// - listening to ARP: a stage that tells each link's neighbour actor what ARP
//   says about its neighbours, and passes every frame on to the host's ARP.
#include <functional>
#include <mutex>
#include <memory>

#include "actors/link_directory.hpp"
#include "actors/registration.hpp"
#include "actors/token_bucket.hpp"
#include "apps/router/neighbour_cache.hpp"
#include "apps/router/redirect_backoff.hpp"
#include "apps/router/route_table.hpp"
#include "apps/router/router_packets.hpp"

namespace etherbeam::apps::router {

struct icmp_error_limits {
  double per_second = 1000; // Linux's icmp_msgs_per_sec
  double burst = 50;        // and icmp_msgs_burst
};

class forwarding_decider final : public actors::frame_decider {
public:
  using hand_over = std::function<bool(actors::link_index, routed_packet&&, caf::execution_unit*)>;

  // With `cache`, a packet whose next hop is REACHABLE (and that fits the
  // out-link) is framed here as a reply on the out-link, which the thread
  // that decided it writes; the rest, and all without a cache, go to the
  // out-link's neighbour actor.
  forwarding_decider(actors::counter_registry& counters, std::shared_ptr<const route_table> routes,
                     std::shared_ptr<const actors::link_directory> links, icmp_error_limits limits, hand_over to_link,
                     std::shared_ptr<const neighbour_cache> cache = nullptr);
  actors::verdict decide(const actors::inbound_frame& in, protocols::byte_buffer reply) const override {
    return decide_translated(in, in, reply);
  }
  // `in` as NAT rewrote it, which is routed; `as_sent`, the packet before
  // NAT, which any ICMP error is about and goes back to: its sender knows
  // only that one (netfilter translates such an error back likewise).
  actors::verdict decide_translated(const actors::inbound_frame& in, const actors::inbound_frame& as_sent,
                                    protocols::byte_buffer reply) const;

private:
  actors::verdict icmp_error(const actors::inbound_frame& about, protocols::byte_buffer reply, std::uint8_t type,
                             std::uint8_t code, std::uint32_t rest, actors::named_counter& said) const;
  // Whether to tell the sender of `in`, which goes back out the link it came
  // in by, that `gateway` is its better first hop (RFC 1812 §5.2.7.2).
  bool redirect_due(const actors::inbound_frame& in, protocols::ipv4_address gateway) const;

  std::shared_ptr<const route_table> routes_;
  std::shared_ptr<const actors::link_directory> links_;
  hand_over to_link_;
  std::shared_ptr<const neighbour_cache> cache_;
  actors::named_counter &forwarded_, &handed_over_, &martian_, &time_exceeded_, &net_unreachable_, &fragmentation_needed_,
    &no_error_allowed_, &rate_limited_, &neighbour_actor_absent_, &source_routed_, &redirected_;
  mutable actors::token_bucket errors_;
  mutable std::mutex redirect_lock_; // taken only for packets that leave by the link they came in by
  mutable redirect_backoff redirects_;
};

class arp_listener final : public actors::frame_decider {
public:
  using tell = std::function<void(actors::link_index, const arp_heard&, caf::execution_unit*)>;
  explicit arp_listener(tell to_neighbours) : to_neighbours_(std::move(to_neighbours)) {}
  actors::verdict decide(const actors::inbound_frame& in, protocols::byte_buffer reply) const override;

private:
  tell to_neighbours_;
};

} // namespace etherbeam::apps::router
