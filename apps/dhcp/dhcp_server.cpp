#include "apps/dhcp/dhcp_server.hpp"

#include <algorithm>

namespace etherbeam::apps::dhcp {

using namespace protocols;
using type = dhcp_message_type;

std::string_view to_string(dhcp_event e) {
  switch (e) {
    case dhcp_event::offered: return "offered";
    case dhcp_event::acked: return "acked";
    case dhcp_event::nak_sent: return "nak_sent";
    case dhcp_event::informed: return "informed";
    case dhcp_event::released: return "released";
    case dhcp_event::declined: return "declined";
    case dhcp_event::pool_exhausted: return "pool_exhausted";
    case dhcp_event::for_other_server: return "for_other_server";
    case dhcp_event::unknown_client: return "unknown_client";
    case dhcp_event::no_subnet: return "no_subnet";
    case dhcp_event::not_a_client_message: return "not_a_client_message";
    case dhcp_event::not_its_lease: return "not_its_lease";
    case dhcp_event::count_: break;
  }
  return "unknown";
}

struct dhcp_server::context {
  const dhcp_inbound& in;
  const dhcp_repr& m;
  const dhcp_subnet& subnet;
  const lease_table& table;
  std::int64_t now;
  client_key key;
  ipv4_address server_address;
};

namespace {
dhcp_outcome silent(dhcp_event e) {
  dhcp_outcome out;
  out.event = e;
  return out;
}

dhcp_outcome replying(dhcp_event e, const dhcp_repr& reply) {
  auto out = silent(e);
  out.reply = reply;
  return out;
}

bool parameter_requested(const dhcp_repr& m, std::uint8_t code) {
  // Without a parameter request list, the client gets everything configured.
  if (m.parameter_request_list.empty()) return true;
  auto prl = m.parameter_request_list.view();
  return std::find(prl.begin(), prl.end(), code) != prl.end();
}
} // namespace

dhcp_server::dhcp_server(dhcp_settings settings, std::vector<ipv4_interface> own_addresses)
  : settings_(std::move(settings)), own_(std::move(own_addresses)) {
  // The broadcast address (option 28) is the subnet's, sent like any option.
  for (auto& s : settings_.subnets) {
    raw_option broadcast{dhcp_option_code::broadcast_address, std::vector<std::uint8_t>(4)};
    s.network.directed_broadcast().write(broadcast.value, 0);
    s.options.push_back(std::move(broadcast));
  }
}

dhcp_outcome dhcp_server::handle(const dhcp_inbound& in, const lease_table& table,
                                 std::int64_t now) const {
  const auto& m = in.message;
  if (m.op != bootp_op::request) return silent(dhcp_event::not_a_client_message);
  auto subnet = subnet_for(in);
  if (!subnet) return silent(dhcp_event::no_subnet);
  context c{in, m, *subnet, table, now, client_key_of(m), server_address_for(*subnet)};
  dhcp_outcome out = [&] {
    switch (m.message_type) {
      case type::discover: return discover(c);
      case type::request: return request(c);
      case type::decline: return decline(c);
      case type::release: return release(c);
      case type::inform: return inform(c);
      default: return silent(dhcp_event::not_a_client_message);
    }
  }();
  out.server_address = c.server_address;
  return out;
}

// RFC 2131 §4.3.1: giaddr names the relay's subnet; else a renewing or
// informing client's own address; else the link we serve directly.
const dhcp_subnet* dhcp_server::subnet_for(const dhcp_inbound& in) const {
  const auto& m = in.message;
  if (!m.relay_address.is_unspecified()) return settings_.subnet_containing(m.relay_address);
  if (!m.client_address.is_unspecified()) return settings_.subnet_containing(m.client_address);
  if (!in.local_address.is_unspecified()) return settings_.subnet_containing(in.local_address);
  for (const auto& own : own_)
    if (auto s = settings_.subnet_containing(own.address)) return s;
  return nullptr;
}

ipv4_address dhcp_server::server_address_for(const dhcp_subnet& s) const {
  for (const auto& own : own_)
    if (s.contains(own.address)) return own.address;
  return own_.empty() ? ipv4_address{} : own_.front().address;
}

bool dhcp_server::is_own(ipv4_address a) const {
  return std::any_of(own_.begin(), own_.end(), [&](const ipv4_interface& i) { return i.address == a; });
}

// Whether this client may hold `a`: its reservation, or a free pool address
// that is not reserved for someone else. With `over_offers`, an address only
// offered to another client counts as free: a client completing its REQUEST
// is further along than one that was merely offered the address.
bool dhcp_server::may_have(const context& c, ipv4_address a, bool over_offers) const {
  if (!c.subnet.contains(a) || is_own(a)) return false;
  if (auto r = c.subnet.reservation_of(a)) return r->matches(c.key, c.m.client_hardware);
  if (!c.subnet.in_pool(a) || c.subnet.is_excluded(a)) return false;
  auto l = c.table.by_address(a);
  // §4.3.3: a declined address is nobody's until its hold ends, not even the
  // decliner's (it found the address in use by another host).
  if (l && l->state == lease_state::declined && l->holds_address(c.now)) return false;
  return !l || l->client == c.key || !l->holds_address(c.now) || (over_offers && l->state == lease_state::offered);
}

// RFC 2131 §4.3.1's order: a reservation, the client's current or previous
// address, the address it asks for, then a free one — addresses nobody ever
// had first, so that returning clients find theirs still free.
std::optional<ipv4_address> dhcp_server::choose_address(const context& c) const {
  if (auto r = c.subnet.reservation_for(c.key, c.m.client_hardware)) {
    if (may_have(c, r->address)) return r->address;
  }
  if (auto l = c.table.by_client(c.key); l && l->state != lease_state::declined && may_have(c, l->address))
    return l->address;
  if (c.m.requested_address && may_have(c, *c.m.requested_address)) return c.m.requested_address;
  // An address with no record at all is one nobody holds; whether it may be
  // given out then depends on configuration only, as first_unrecorded requires
  // (reserved addresses go only through the reservation, above).
  auto usable = [&](ipv4_address a) {
    return !is_own(a) && !c.subnet.is_excluded(a) && !c.subnet.reservation_of(a);
  };
  for (const auto& range : c.subnet.pools)
    if (auto a = c.table.first_unrecorded(range, usable)) return a;
  for (const auto& range : c.subnet.pools)
    for (std::uint64_t v = range.first.value; v <= range.last.value; ++v)
      if (may_have(c, ipv4_address{static_cast<std::uint32_t>(v)})) return ipv4_address{static_cast<std::uint32_t>(v)};
  // Nothing free: the oldest offer to another client is taken over, so that
  // DISCOVERs that never REQUEST (a flood from random MACs) cannot hold the
  // whole pool for the offer time.
  auto oldest = c.table.oldest_offer([&](const lease& l) { return l.client != c.key && may_have(c, l.address, true); });
  if (oldest) return oldest->address;
  return std::nullopt;
}

dhcp_outcome dhcp_server::discover(const context& c) const {
  auto a = choose_address(c);
  if (!a) return silent(dhcp_event::pool_exhausted);
  auto out = replying(dhcp_event::offered, reply_to(c, type::offer));
  out.reply->your_address = *a;
  add_options(c, out, true);
  auto current = c.table.by_address(*a);
  bool already_bound = current && current->client == c.key && current->state == lease_state::bound &&
                       current->holds_address(c.now);
  if (!already_bound) {
    out.change = lease{*a, c.key, c.m.client_hardware, std::string(c.m.host_name.text()),
                       c.now + settings_.offer_hold.count(), lease_state::offered};
  }
  return out;
}

dhcp_outcome dhcp_server::request(const context& c) const {
  const auto& m = c.m;
  if (m.server_identifier) { // SELECTING
    if (!is_own(*m.server_identifier)) {
      dhcp_outcome out = silent(dhcp_event::for_other_server);
      // The client took another server's offer: ours is free again.
      if (auto l = c.table.by_client(c.key); l && l->state == lease_state::offered) {
        out.change = *l;
        out.change->state = lease_state::released;
        out.change->expires = c.now;
      }
      return out;
    }
    if (!m.requested_address || !may_have(c, *m.requested_address, true)) return nak(c);
    return ack(c, *m.requested_address);
  }
  if (m.requested_address && m.client_address.is_unspecified()) { // INIT-REBOOT
    if (!c.subnet.contains(*m.requested_address)) return nak(c); // moved to another network
    auto l = c.table.by_client(c.key);
    if (!l) return silent(dhcp_event::unknown_client); // §4.3.2: not ours to judge
    if (l->address != *m.requested_address || !may_have(c, *m.requested_address)) return nak(c);
    return ack(c, *m.requested_address);
  }
  if (!m.client_address.is_unspecified()) { // RENEWING or REBINDING
    auto a = m.client_address;
    auto l = c.table.by_address(a);
    if (l && l->client == c.key && may_have(c, a)) return ack(c, a);
    if (l && l->client != c.key && l->holds_address(c.now)) return nak(c);
    // No record (a lease from before a state loss): grant it if it is free.
    if (may_have(c, a)) return ack(c, a);
    return silent(dhcp_event::unknown_client);
  }
  return nak(c);
}

dhcp_outcome dhcp_server::ack(const context& c, ipv4_address a) const {
  auto out = replying(dhcp_event::acked, reply_to(c, type::ack));
  out.reply->your_address = a;
  add_options(c, out, true);
  out.change = lease{a, c.key, c.m.client_hardware, std::string(c.m.host_name.text()),
                     c.now + c.subnet.lease_time, lease_state::bound};
  out.durable = true;
  return out;
}

dhcp_outcome dhcp_server::nak(const context& c) const {
  auto out = replying(dhcp_event::nak_sent, reply_to(c, type::nak));
  out.reply->message.assign(std::string_view{"requested address not available"});
  // §4.3.2: through a relay, the NAK carries the broadcast bit, so that the
  // relay broadcasts it to a client that may have no address any more.
  if (!c.m.relay_address.is_unspecified()) out.reply->broadcast_flag = true;
  return out;
}

dhcp_outcome dhcp_server::decline(const context& c) const {
  auto a = c.m.requested_address;
  if (c.m.server_identifier && !is_own(*c.m.server_identifier)) return silent(dhcp_event::for_other_server);
  auto l = a ? c.table.by_address(*a) : nullptr;
  // Only the client that holds the address by an ACK may decline it: one that
  // was merely offered it (or never was) would burn addresses it never had.
  if (!l || l->client != c.key || l->state != lease_state::bound || !l->holds_address(c.now))
    return silent(dhcp_event::not_its_lease);
  dhcp_outcome out = silent(dhcp_event::declined);
  out.change = lease{*a, c.key, c.m.client_hardware, {}, c.now + settings_.decline_hold.count(),
                     lease_state::declined};
  out.durable = true;
  return out;
}

dhcp_outcome dhcp_server::release(const context& c) const {
  if (c.m.server_identifier && !is_own(*c.m.server_identifier)) return silent(dhcp_event::for_other_server);
  auto l = c.table.by_address(c.m.client_address);
  if (!l || l->client != c.key || l->state != lease_state::bound) return silent(dhcp_event::not_its_lease);
  dhcp_outcome out = silent(dhcp_event::released);
  out.change = *l;
  out.change->state = lease_state::released;
  out.change->expires = c.now;
  out.durable = true;
  return out;
}

dhcp_outcome dhcp_server::inform(const context& c) const {
  auto out = replying(dhcp_event::informed, reply_to(c, type::ack));
  add_options(c, out, false); // §3.4: configuration only, no lease
  return out;
}

dhcp_repr dhcp_server::reply_to(const context& c, type t) const {
  dhcp_repr r;
  r.op = bootp_op::reply;
  r.message_type = t;
  r.transaction_id = c.m.transaction_id;
  r.broadcast_flag = c.m.broadcast_flag;
  r.relay_address = c.m.relay_address;
  r.client_hardware = c.m.client_hardware;
  // Table 3 of §4.3.1: ciaddr goes back in ACKs to a client that has one.
  if (t == type::ack) r.client_address = c.m.client_address;
  r.server_identifier = c.server_address;
  r.relay_agent_information = c.m.relay_agent_information; // RFC 3046 §2.2: echoed
  r.client_identifier = c.m.client_identifier;             // RFC 6842: echoed in OFFER, ACK and NAK
  return r;
}

void dhcp_server::add_options(const context& c, dhcp_outcome& out, bool with_lease) const {
  const auto& s = c.subnet;
  auto& r = *out.reply;
  if (with_lease) {
    r.lease_time = s.lease_time;
    r.renewal_time = s.renewal_time.value_or(s.lease_time / 2);
    r.rebinding_time = s.rebinding_time.value_or(static_cast<std::uint32_t>(s.lease_time * 7ull / 8));
  }
  r.subnet_mask = ipv4_address{s.network.netmask()};

  std::vector<const client_class*> classes;
  for (const auto& k : settings_.classes)
    if (k.matches(c.m)) classes.push_back(&k);
  // A class's option over the subnet's; the first class's over later ones.
  auto& chosen = out.extra_options;
  auto offer = [&](std::uint8_t code, byte_view value) {
    if (value.empty() || !parameter_requested(c.m, code)) return;
    if (std::none_of(chosen.begin(), chosen.end(), [&](const dhcp_option& o) { return o.code == code; }))
      chosen.push_back({code, value});
  };
  auto text = [](const std::string& t) { return byte_view{reinterpret_cast<const std::uint8_t*>(t.data()), t.size()}; };
  for (const auto* k : classes)
    for (const auto& o : k->options) offer(o.code, o.value);
  for (const auto& o : s.options) offer(o.code, o.value);
  auto reservation = s.reservation_for(c.key, c.m.client_hardware);
  if (reservation) offer(dhcp_option_code::host_name, text(reservation->host_name));
  add_boot_fields(c, out, classes);
  // RFC 2131 §4.3.1: what the client asked for, in the order it asked.
  auto prl = c.m.parameter_request_list.view();
  auto rank = [&](std::uint8_t code) { return std::find(prl.begin(), prl.end(), code) - prl.begin(); };
  std::stable_sort(chosen.begin(), chosen.end(),
                   [&](const dhcp_option& a, const dhcp_option& b) { return rank(a.code) < rank(b.code); });
}

// siaddr, 'sname' and 'file' from the first matching class that sets each,
// else the subnet; options 66 and 67 carry the same names to a client that
// asks for them (iPXE does) unless configured apart.
void dhcp_server::add_boot_fields(const context& c, dhcp_outcome& out,
                                  const std::vector<const client_class*>& classes) const {
  // References into the settings: the options below view them.
  auto pick = [&](auto field) -> const auto& {
    for (const auto* k : classes)
      if (!(k->boot.*field == std::remove_cvref_t<decltype(k->boot.*field)>{})) return k->boot.*field;
    return c.subnet.boot.*field;
  };
  const auto& next_server = pick(&boot_settings::next_server);
  const std::string& server_name = pick(&boot_settings::server_name);
  const std::string& boot_file = pick(&boot_settings::boot_file);
  auto& r = *out.reply;
  if (next_server) r.server_address = *next_server;
  r.server_name.assign(std::string_view{server_name});
  r.boot_file.assign(std::string_view{boot_file});
  auto& chosen = out.extra_options;
  auto also_as_option = [&](std::uint8_t code, const std::string& value) {
    if (value.empty() || !parameter_requested(c.m, code) || c.m.parameter_request_list.empty()) return;
    if (std::none_of(chosen.begin(), chosen.end(), [&](const dhcp_option& o) { return o.code == code; }))
      chosen.push_back({code, byte_view{reinterpret_cast<const std::uint8_t*>(value.data()), value.size()}});
  };
  also_as_option(dhcp_option_code::tftp_server_name, server_name);
  also_as_option(dhcp_option_code::boot_file_name, boot_file);
}

} // namespace etherbeam::apps::dhcp
