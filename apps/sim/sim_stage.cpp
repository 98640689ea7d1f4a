#include "apps/sim/sim_stage.hpp"

#include "protocols/arp.hpp"
#include "protocols/dhcp.hpp"
#include "protocols/ipv4.hpp"
#include "protocols/udp.hpp"

namespace etherbeam::apps::sim {

sim_stage::sim_stage(std::shared_ptr<const host_directory> hosts, actors::counter_registry& counters,
                     hand_to_host hand)
    : hosts_(std::move(hosts)), hand_(std::move(hand)), to_host_(counters.add("sim.frames_to_hosts")),
      host_gone_(counters.add("sim.host_gone")) {}

std::optional<host_index> sim_stage::host_for(const actors::inbound_frame& in) const {
  const auto& eth = *in.ethernet;
  if (!eth.destination.is_group()) return hosts_->by_mac(in.link, eth.destination);
  if (!eth.destination.is_broadcast()) return std::nullopt;
  if (eth.ethertype == protocols::ethertype::arp) {
    auto packet = protocols::arp_packet::check(in.ethernet_payload);
    if (!packet) return std::nullopt;
    auto arp = protocols::arp_repr::parse(*packet);
    if (!arp || arp->operation != protocols::arp_operation::request) return std::nullopt;
    return hosts_->by_address(in.link, arp->target_protocol);
  }
  // A DHCP server broadcasts to a client that has no address yet (RFC 2131 §4.1): chaddr says who.
  if (eth.ethertype != protocols::ethertype::ipv4) return std::nullopt;
  auto ip = protocols::ipv4_packet::check(in.ethernet_payload);
  if (!ip || ip->protocol() != protocols::ip_protocol::udp) return std::nullopt;
  auto udp = protocols::udp_packet::check(ip->payload());
  if (!udp || udp->destination_port() != protocols::dhcp_client_port) return std::nullopt;
  auto dhcp = protocols::dhcp_packet::check(udp->payload());
  if (!dhcp || dhcp->op() != static_cast<std::uint8_t>(protocols::bootp_op::reply)) return std::nullopt;
  return hosts_->by_mac(in.link, dhcp->client_hardware());
}

actors::verdict sim_stage::decide(const actors::inbound_frame& in, protocols::byte_buffer) const {
  auto host = host_for(in);
  if (!host) return actors::verdict::pass();
  if (!hand_(*host, in.bytes, in.here)) return actors::verdict::ignore(host_gone_);
  return actors::verdict::handed_off(to_host_);
}

} // namespace etherbeam::apps::sim
