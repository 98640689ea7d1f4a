#pragma once
// The bridge, where every frame is decided: a stage before dispatch that
// learns each frame's source MAC on the link it came in by, sends a unicast
// frame out the one member link its destination was last seen on (or drops
// it when that is the link it came from), floods broadcasts, multicasts and
// unknown unicast to every other member link, and lets frames for etherbeam's
// own MAC, and broadcasts, go on to etherbeam's applications. The MAC table
// is behind a lock (one lookup and one update per frame). With a firewall
// (bridge_firewall.hpp), each IPv4 packet leaves by a link, or goes on to
// etherbeam, only when the firewall lets it. No spanning tree: member links
// must not be joined any other way (see README, Bridge).
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "actors/registration.hpp"
#include "apps/bridge/bridge_firewall.hpp"
#include "apps/bridge/mac_table.hpp"
#include "protocols/ipv4.hpp"

namespace etherbeam::apps::bridge {

class bridge_stage final : public actors::frame_decider {
public:
  // Sends a frame out a member link; a datagram the firewall put together
  // from fragments may be longer than the link carries, and must leave in
  // fragments that fit.
  using send = std::function<void(actors::link_index, protocols::byte_view, caf::execution_unit*)>;

  // `guard`: the bridge's firewall, or null for none.
  bridge_stage(actors::counter_registry& counters, std::vector<actors::link_index> members, mac_table::settings table,
               send to_link, std::shared_ptr<const bridge_firewall> guard = nullptr);
  actors::verdict decide(const actors::inbound_frame& in, protocols::byte_buffer reply) const override;
  std::size_t macs() const;
  // One line per learned MAC: "MAC link-index seconds-since-seen".
  std::string list(const std::function<std::string(actors::link_index)>& name_of) const;

private:
  bool member(actors::link_index l) const;
  // A fragment, with a firewall: gathered, then its whole datagram decided.
  actors::verdict decide_fragment(const actors::inbound_frame& in, const protocols::ipv4_packet& fragment,
                                  protocols::byte_buffer reply) const;
  // Out every other member link the firewall lets it leave by.
  void flood(const actors::inbound_frame& in) const;
  // The firewall's word on `in` leaving by `out` (nullopt: to etherbeam); nullopt: it may.
  std::optional<actors::verdict> stopped(const actors::inbound_frame& in, std::optional<actors::link_index> out,
                                         protocols::byte_buffer reply) const;

  std::vector<actors::link_index> members_;
  send to_link_;
  std::shared_ptr<const bridge_firewall> guard_;
  mutable std::mutex lock_;
  mutable mac_table table_;
  actors::named_counter &forwarded_, &flooded_, &filtered_, &moved_, &table_full_, &link_local_, &whole_unreadable_;
};

} // namespace etherbeam::apps::bridge
