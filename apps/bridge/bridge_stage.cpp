#include "apps/bridge/bridge_stage.hpp"

#include <algorithm>
#include <sstream>
#include <variant>

#include "protocols/ethernet.hpp"
#include "protocols/ipv4.hpp"

namespace etherbeam::apps::bridge {

using actors::inbound_frame;
using actors::verdict;

bridge_stage::bridge_stage(actors::counter_registry& c, std::vector<actors::link_index> members,
                           mac_table::settings table, send to_link, std::shared_ptr<const bridge_firewall> guard)
    : members_(std::move(members)), to_link_(std::move(to_link)), guard_(std::move(guard)), table_(table), forwarded_(c.add("bridge.forwarded")),
      flooded_(c.add("bridge.flooded")), filtered_(c.add("ignored.bridge_same_link")),
      moved_(c.add("bridge.mac_moved")), table_full_(c.add("bridge.mac_table_full")),
      link_local_(c.add("ignored.bridge_link_local_group")), whole_unreadable_(c.add("firewall.fragments_dropped")) {}

bool bridge_stage::member(actors::link_index l) const {
  return std::find(members_.begin(), members_.end(), l) != members_.end();
}

std::size_t bridge_stage::macs() const {
  std::lock_guard guard(lock_);
  return table_.size();
}

std::string bridge_stage::list(const std::function<std::string(actors::link_index)>& name_of) const {
  std::lock_guard guard(lock_);
  std::ostringstream out;
  auto now = clock::now();
  table_.for_each([&](const protocols::mac_address& mac, actors::link_index link, clock::time_point seen) {
    out << mac.to_string() << " " << name_of(link) << " seen "
        << std::chrono::duration_cast<std::chrono::seconds>(now - seen).count() << "s ago\n";
  });
  return out.str();
}

std::optional<verdict> bridge_stage::stopped(const inbound_frame& in, std::optional<actors::link_index> out,
                                             protocols::byte_buffer reply) const {
  if (!guard_) return std::nullopt;
  return guard_->stop(in, out, reply);
}

void bridge_stage::flood(const inbound_frame& in) const {
  // A reject while flooding is a drop: the answer could come from no one host.
  for (auto l : members_) {
    if (l == in.link) continue;
    if (auto stop = stopped(in, l, {})) stop->record(); // counted once per link, as nft counts
    else to_link_(l, in.bytes, in.here);
  }
}

verdict bridge_stage::decide_fragment(const inbound_frame& in, const protocols::ipv4_packet& fragment,
                                      protocols::byte_buffer reply) const {
  if (!fragment.checksum_valid()) return guard_->stop(in, std::nullopt, reply).value_or(verdict::pass()); // counted
  auto gathered = guard_->gather(in, fragment);
  if (auto* v = std::get_if<verdict>(&gathered)) return *v;
  const auto& whole = std::get<std::vector<std::uint8_t>>(gathered);
  auto checked = protocols::ethernet_frame::check(protocols::byte_view(whole));
  if (!checked) return verdict::ignore(whole_unreadable_);
  auto eth = protocols::ethernet_repr::parse(*checked);
  inbound_frame joined = in;
  joined.bytes = protocols::byte_view(whole);
  joined.ethernet = &eth;
  joined.ethernet_payload = checked->payload();
  joined.ip_packet = nullptr;
  joined.ip = nullptr;
  joined.udp = nullptr;
  return decide(joined, reply); // whole now; it leaves in fragments that fit (bridge_app's sending)
}

verdict bridge_stage::decide(const inbound_frame& in, protocols::byte_buffer reply) const {
  if (!member(in.link)) return verdict::pass();
  const auto& eth = *in.ethernet;
  bool ours = in.me->mac && eth.destination == *in.me->mac;
  if (in.me->mac && eth.source == *in.me->mac) return verdict::pass(); // our own, come back: the dispatcher drops it
  if (guard_ && !ours && eth.ethertype == protocols::ethertype::ipv4)
    if (auto packet = protocols::ipv4_packet::check(in.ethernet_payload); packet && packet->is_fragment())
      return decide_fragment(in, *packet, reply);
  std::optional<actors::link_index> out;
  {
    std::lock_guard guard(lock_);
    auto now = clock::now();
    if (!eth.source.is_group()) {
      auto learned = table_.learn(eth.source, in.link, now);
      if (learned == mac_table::learned::moved) ++moved_;
      else if (learned == mac_table::learned::table_full) ++table_full_;
    }
    if (!ours && !eth.destination.is_group()) out = table_.lookup(eth.destination, now);
  }
  if (ours) return stopped(in, std::nullopt, reply).value_or(verdict::pass());
  if (eth.destination.is_group()) {
    // 01:80:C2:00:00:0X (STP, pause, LLDP, 802.1X) stay on their link (802.1D Table 7-10).
    const auto& o = eth.destination.octets;
    if (o[0] == 0x01 && o[1] == 0x80 && o[2] == 0xc2 && o[3] == 0 && o[4] == 0 && o[5] < 0x10)
      return verdict::ignore(link_local_);
    flood(in);
    ++flooded_;
    // etherbeam hears broadcasts too (ARP for its own addresses, DHCP)
    return stopped(in, std::nullopt, reply).value_or(verdict::pass());
  }
  if (!out) {
    flood(in);
    return verdict::handed_off(flooded_);
  }
  if (*out == in.link) return verdict::ignore(filtered_);
  if (auto stop = stopped(in, *out, reply)) return *stop;
  to_link_(*out, in.bytes, in.here);
  return verdict::handed_off(forwarded_);
}

} // namespace etherbeam::apps::bridge
