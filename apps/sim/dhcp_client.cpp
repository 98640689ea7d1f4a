#include "apps/sim/dhcp_client.hpp"

#include <algorithm>

namespace etherbeam::apps::sim {

using protocols::dhcp_message_type;
using std::chrono::milliseconds;

const char* to_string(client_state s) {
  switch (s) {
    case client_state::init: return "init";
    case client_state::selecting: return "selecting";
    case client_state::requesting: return "requesting";
    case client_state::checking: return "checking";
    case client_state::bound: return "bound";
    case client_state::renewing: return "renewing";
    case client_state::rebinding: return "rebinding";
    case client_state::rebooting: return "rebooting";
    case client_state::released: return "released";
  }
  return "?";
}

server_answer server_answer::from(const protocols::dhcp_repr& m) {
  return {m.message_type, m.transaction_id, m.your_address, m.server_identifier,
          m.lease_time,   m.renewal_time,   m.rebinding_time};
}

namespace {

client_message message(dhcp_message_type type, std::uint32_t xid, std::uint16_t seconds,
                       protocols::ipv4_address client_address = {}) {
  client_message m;
  m.type = type;
  m.transaction_id = xid;
  m.seconds = seconds;
  m.client_address = client_address;
  return m;
}

} // namespace

std::uint64_t dhcp_client::next_random() { // splitmix64: 8 bytes of state per host
  std::uint64_t z = (random_ += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

std::uint16_t dhcp_client::seconds_since_began(sim_clock::time_point now) const {
  auto s = std::chrono::duration_cast<std::chrono::seconds>(now - began_).count();
  return static_cast<std::uint16_t>(std::clamp<long long>(s, 0, 65535));
}

// §4.1: the delay doubles from 4 s to 64 s, randomised by ±1 s.
void dhcp_client::retransmit_after(sim_clock::time_point now, const client_timing& t) {
  auto doublings = std::min<int>(attempts_ > 0 ? attempts_ - 1 : 0, 16);
  auto wait = std::min(milliseconds(t.first_wait.count() << doublings), t.max_wait);
  auto span = static_cast<std::uint64_t>(2 * t.jitter.count() + 1);
  auto jitter = milliseconds(static_cast<long long>(next_random() % span) - t.jitter.count());
  timer_ = now + std::max(wait + jitter, milliseconds(1));
}

client_step dhcp_client::discover(sim_clock::time_point now, const client_timing& t) {
  state_ = client_state::selecting;
  lease_.reset();
  began_ = now;
  xid_ = static_cast<std::uint32_t>(next_random());
  attempts_ = 1;
  retransmit_after(now, t);
  return {message(dhcp_message_type::discover, xid_, 0), std::nullopt};
}

// SELECTING's REQUEST names the offer and its server; INIT-REBOOT's only the address.
client_step dhcp_client::request(sim_clock::time_point now, const client_timing& t) {
  request_sent_ = now;
  retransmit_after(now, t);
  auto m = message(dhcp_message_type::request, xid_, seconds_since_began(now));
  m.requested = offered_;
  if (state_ == client_state::requesting) m.server_id = offered_by_;
  return {m, std::nullopt};
}

// §4.4.5: RENEWING asks the server that gave the lease, REBINDING anyone;
// each waits half the time left until T2 (or the lease's end), at least a minute.
client_step dhcp_client::renew_or_rebind(sim_clock::time_point now, const client_timing& t) {
  auto until = state_ == client_state::renewing ? lease_->t2() : lease_->ends();
  timer_ = std::min(until, now + std::max<sim_clock::duration>((until - now) / 2, t.min_renew_wait));
  request_sent_ = now;
  auto m = message(dhcp_message_type::request, xid_, seconds_since_began(now), lease_->address);
  if (state_ == client_state::renewing) m.unicast_to = lease_->server;
  return {m, std::nullopt};
}

client_step dhcp_client::start(sim_clock::time_point now, const client_timing& t,
                               std::optional<protocols::ipv4_address> remembered) {
  if (!remembered) return discover(now, t);
  state_ = client_state::rebooting;
  lease_.reset();
  offered_ = *remembered;
  offered_by_ = {};
  began_ = now;
  xid_ = static_cast<std::uint32_t>(next_random());
  attempts_ = 1;
  return request(now, t);
}

client_step dhcp_client::on_timer(sim_clock::time_point now, const client_timing& t) {
  if (now < timer_) return {};
  switch (state_) {
    case client_state::init: return discover(now, t);
    case client_state::selecting: {
      attempts_ = static_cast<std::uint8_t>(std::min(attempts_ + 1, 255));
      retransmit_after(now, t);
      return {message(dhcp_message_type::discover, xid_, seconds_since_began(now)), std::nullopt};
    }
    case client_state::requesting:
    case client_state::rebooting:
      if (attempts_ >= t.request_attempts) return discover(now, t); // no answer: start over
      ++attempts_;
      return request(now, t);
    case client_state::checking: // nobody answered the probe: the address is ours
      state_ = client_state::bound;
      lease_ = client_lease{offered_, offered_by_, request_sent_, offer_lease_s_, offer_t1_s_, offer_t2_s_};
      timer_ = lease_->t1();
      return {};
    case client_state::bound:
      state_ = client_state::renewing;
      began_ = now;
      xid_ = static_cast<std::uint32_t>(next_random());
      return renew_or_rebind(now, t);
    case client_state::renewing:
      if (now >= lease_->t2()) {
        state_ = client_state::rebinding;
        began_ = now;
        xid_ = static_cast<std::uint32_t>(next_random());
      }
      return renew_or_rebind(now, t);
    case client_state::rebinding:
      if (now >= lease_->ends()) return discover(now, t); // the lease is over: its address is not ours
      return renew_or_rebind(now, t);
    case client_state::released: return {};
  }
  return {};
}

namespace {

// T1 and T2 as the server gave them, or RFC 2131 §4.4.5's defaults (0.5 and
// 0.875 of the lease), kept in order.
void lease_times(const server_answer& a, std::uint32_t& lease, std::uint32_t& t1, std::uint32_t& t2) {
  lease = *a.lease_time;
  t2 = std::min(a.rebinding_time.value_or(static_cast<std::uint32_t>(lease * 7ull / 8)), lease);
  t1 = std::min(a.renewal_time.value_or(lease / 2), t2);
}

} // namespace

client_step dhcp_client::on_answer(const server_answer& a, sim_clock::time_point now, const client_timing& t) {
  if (a.transaction_id != xid_) return {}; // another exchange's, or another client's
  bool ack = a.type == dhcp_message_type::ack && a.lease_time; // an ACK to a REQUEST says the lease
  bool nak = a.type == dhcp_message_type::nak;
  switch (state_) {
    case client_state::selecting:
      // The first offer is taken (§4.4.1 leaves the choice to the client).
      if (a.type != dhcp_message_type::offer || !a.server_id || !a.lease_time || a.your_address.is_unspecified())
        return {};
      offered_ = a.your_address;
      offered_by_ = *a.server_id;
      state_ = client_state::requesting;
      attempts_ = 1;
      return request(now, t);
    case client_state::requesting:
    case client_state::rebooting:
      if (nak) return discover(now, t);
      if (!ack) return {};
      if (!a.your_address.is_unspecified()) offered_ = a.your_address;
      if (a.server_id) offered_by_ = *a.server_id;
      lease_times(a, offer_lease_s_, offer_t1_s_, offer_t2_s_);
      state_ = client_state::checking; // §4.4.1: ARP for it before using it
      timer_ = now + t.probe_wait;
      return {std::nullopt, offered_};
    case client_state::renewing:
    case client_state::rebinding:
      if (nak) return discover(now, t); // §4.4.5: the address must not be used any more
      if (!ack) return {};
      if (a.server_id) lease_->server = *a.server_id;
      lease_->obtained = request_sent_;
      lease_times(a, lease_->lease_s, lease_->t1_s, lease_->t2_s);
      state_ = client_state::bound;
      timer_ = lease_->t1();
      return {};
    default: return {};
  }
}

client_step dhcp_client::on_conflict(sim_clock::time_point now, const client_timing& t) {
  if (state_ != client_state::checking) return {};
  auto m = message(dhcp_message_type::decline, xid_, 0);
  m.requested = offered_;
  m.server_id = offered_by_;
  state_ = client_state::init;
  timer_ = now + t.after_decline;
  return {m, std::nullopt};
}

client_step dhcp_client::release() {
  auto held = lease_;
  state_ = client_state::released;
  lease_.reset();
  if (!held) return {};
  auto m = message(dhcp_message_type::release, static_cast<std::uint32_t>(next_random()), 0, held->address);
  m.server_id = held->server;
  m.unicast_to = held->server;
  return {m, std::nullopt};
}

} // namespace etherbeam::apps::sim
