#include "apps/dhcp/dhcp_intake.hpp"

#include <variant>

#include "protocols/dhcp.hpp"

namespace etherbeam::apps::dhcp {

dhcp_intake::dhcp_intake(std::shared_ptr<dhcp_counters> counters, std::shared_ptr<actors::admission_gate> backlog,
                         hand_off deliver)
    : counters_(std::move(counters)), backlog_(std::move(backlog)), deliver_(std::move(deliver)),
      malformed_(counters_->all->named.add_layer("dhcp")) {}

namespace {

// The message a frame carries, or the verdict when it carries none.
std::variant<dhcp_inbound, actors::verdict> parse(const actors::inbound_frame& in, actors::layer_counters& malformed) {
  auto view = protocols::dhcp_packet::check(in.udp->payload);
  if (!view) return actors::verdict::malformed(malformed, view.error());
  auto message = protocols::dhcp_repr::parse(*view);
  if (!message) return actors::verdict::malformed(malformed, message.error());
  return dhcp_inbound{*in.ethernet, in.ip->source, *message, *in.me->mac, in.link, in.local_address,
                      in.me->link_mtu()};
}

} // namespace

actors::verdict dhcp_intake::decide(const actors::inbound_frame& in, protocols::byte_buffer) const {
  auto parsed = parse(in, malformed_);
  if (auto* refused = std::get_if<actors::verdict>(&parsed)) return *refused;
  if (!backlog_->try_enter()) return actors::verdict::handed_off(counters_->handed_off);
  if (!deliver_(std::get<dhcp_inbound>(std::move(parsed)), in.here)) {
    backlog_->leave();
    ++counters_->server_absent;
  }
  return actors::verdict::handed_off(counters_->handed_off);
}

} // namespace etherbeam::apps::dhcp
