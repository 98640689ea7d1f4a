#include "apps/host/host_responders.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <functional>
#include <string>
#include <map>
#include <mutex>

#include "apps/host/host_refusals.hpp"
#include "protocols/checksum.hpp"
#include "protocols/frame_repr.hpp"
#include "protocols/ipv4_options.hpp"

namespace etherbeam::apps::host {

using namespace protocols;
using actors::inbound_frame;
using actors::verdict;

namespace {

// RFC 5227 §2.4: another station claiming one of our addresses is a
// conflict. Each is logged and counted; the address is defended with one
// ARP Announcement at most every DEFEND_INTERVAL (10 s), so that two hosts
// never answer each other in a loop.
class address_defence {
public:
  static constexpr auto defend_interval = std::chrono::seconds(10);

  // Whether to defend `address` now; remembers that it was.
  bool may_defend(ipv4_address address) {
    std::lock_guard lock{mutex_};
    auto now = std::chrono::steady_clock::now();
    auto [it, first] = last_.try_emplace(address.value, now);
    if (first) return true;
    if (now - it->second < defend_interval) return false;
    it->second = now;
    return true;
  }

private:
  std::mutex mutex_; // taken only for conflicts
  std::map<std::uint32_t, std::chrono::steady_clock::time_point> last_;
};

class arp_responder final : public actors::frame_decider {
public:
  arp_responder(actors::counter_registry& c, const host_settings& s)
      : warn_(s.warn), malformed_(c.add_layer("arp")), replied_(c.add("reply.arp_reply")),
        not_a_request_(c.add("ignored.not_a_request")), not_our_address_(c.add("ignored.not_our_address")),
        conflicts_(c.add("arp.address_conflicts")), defended_(c.add("reply.arp_defence")),
        not_defended_(c.add("ignored.arp_conflict_defended_recently")), announced_(c.add("arp.announcements")) {}

  // RFC 5227 §2.3: an ARP Announcement of each owned address when we come
  // up, so that neighbours drop what their caches held (a restart, a new MAC).
  void announce(const actors::stack_identity& me, const std::function<void(byte_view)>& send) const override {
    if (!me.mac) return;
    for (const auto& owned : me.addresses) {
      std::array<std::uint8_t, 64> out{};
      frame_repr announcement{ethernet_repr{mac_address::broadcast(), *me.mac, {}, 0, ethertype::arp},
                              arp_repr{arp_operation::request, *me.mac, owned.address, mac_address{}, owned.address}};
      auto n = announcement.emit(out);
      ++announced_;
      send(byte_view{out}.first(n));
    }
  }

  verdict decide(const inbound_frame& in, byte_buffer out) const override {
    auto packet = arp_packet::check(in.ethernet_payload);
    if (!packet) return verdict::malformed(malformed_, packet.error());
    auto arp = arp_repr::parse(*packet);
    if (!arp) return verdict::malformed(malformed_, arp.error());
    const auto& me = *in.me->mac;
    // The dispatcher already dropped frames from our own MAC: whoever claims
    // one of our addresses here is another station.
    if (in.me->owns(arp->sender_protocol)) return conflict(in, *arp, out);
    if (arp->operation != arp_operation::request) return verdict::ignore(not_a_request_);
    if (!in.me->owns(arp->target_protocol)) return verdict::ignore(not_our_address_);
    // A probe (RFC 5227 §2.1.1, sender 0.0.0.0) is answered like any request,
    // to the prober's MAC, as Linux answers it: the prober sees the address taken.
    frame_repr reply{answering(*in.ethernet, me),
                     arp_repr{arp_operation::reply, me, arp->target_protocol, arp->sender_hardware,
                              arp->sender_protocol}};
    return verdict::replied(replied_, reply.emit(out));
  }

private:
  verdict conflict(const inbound_frame& in, const arp_repr& arp, byte_buffer out) const {
    ++conflicts_;
    if (!defence_.may_defend(arp.sender_protocol)) return verdict::ignore(not_defended_);
    if (warn_)
      warn_(arp.sender_hardware.to_string() + " claims our address " + arp.sender_protocol.to_string() +
            " (an ARP " + (arp.operation == arp_operation::request ? "request" : "reply") +
            "); defending it with an announcement, at most every " +
            std::to_string(address_defence::defend_interval.count()) +
            " s. Two hosts with one address: give one of them another");
    // An ARP Announcement (§2.3): a broadcast request with our address as
    // sender and target.
    const auto& me = *in.me->mac;
    auto header = answering(*in.ethernet, me);
    header.destination = mac_address::broadcast();
    frame_repr announcement{header, arp_repr{arp_operation::request, me, arp.sender_protocol, mac_address{},
                                             arp.sender_protocol}};
    return verdict::replied(defended_, announcement.emit(out));
  }

  std::function<void(const std::string&)> warn_;
  actors::layer_counters& malformed_;
  actors::named_counter &replied_, &not_a_request_, &not_our_address_, &conflicts_, &defended_, &not_defended_,
    &announced_;
  mutable address_defence defence_;
};

class icmp_echo_responder final : public actors::frame_decider {
public:
  explicit icmp_echo_responder(actors::counter_registry& c)
      : malformed_(c.add_layer("icmpv4")), replied_(c.add("reply.icmp_echo_reply")),
        not_a_request_(c.add("ignored.not_a_request")),
        broadcast_ignored_(c.add("ignored.broadcast_ping_ignored")) {}

  verdict decide(const inbound_frame& in, byte_buffer out) const override {
    if (in.to_broadcast && !in.me->answer_broadcast_ping) return verdict::ignore(broadcast_ignored_);
    auto packet = icmpv4_packet::check(in.ip_packet->payload());
    if (!packet) return verdict::malformed(malformed_, packet.error());
    if (packet->type() != icmpv4_type::echo_request) return verdict::ignore(not_a_request_);
    auto echo = icmpv4_echo_repr::parse(*packet);
    if (!echo) return verdict::malformed(malformed_, echo.error());
    if (in.ip_packet->header_len() > ipv4_packet::min_header_len)
      if (auto len = reply_with_options(in, out)) return verdict::replied(replied_, len);
    frame_repr reply{answering(*in.ethernet, *in.me->mac),
                     ipv4_datagram_repr{answering(*in.ip, in.local_address),
                                        icmpv4_echo_repr{false, echo->identifier, echo->sequence, echo->data, echo->code}}};
    return verdict::replied(replied_, reply.emit(out));
  }

private:
  // RFC 1122 §3.2.2.6: Record Route and Timestamp in a request are updated
  // with this host and returned in the reply, so that what is recorded is
  // the whole round trip (ping -R). As Linux does, this host is recorded
  // twice: as the request's receiver and as the reply's sender. The request
  // is turned around in place. 0: a source route, which is not echoed (the
  // reply goes without options).
  static std::size_t reply_with_options(const inbound_frame& in, byte_buffer out) {
    auto link = answering(*in.ethernet, *in.me->mac);
    auto total = link.header_len() + in.ip_packet->total_len();
    if (link.header_len() != in.bytes.size() - in.ethernet_payload.size() || out.size() < total) return 0;
    std::copy_n(in.bytes.begin(), total, out.begin());
    link.emit(out);
    auto ip = out.subspan(link.header_len(), in.ip_packet->total_len());
    auto header = ip.first(in.ip_packet->header_len());
    in.local_address.write(header, ipv4_field::source);
    in.ip->source.write(header, ipv4_field::destination);
    header[ipv4_field::ttl] = 64;
    write_be16(header, ipv4_field::flags_fragment, 0);
    auto now = ms_since_midnight_ut();
    for (int as = 0; as < 2; ++as) // received, then sent
      if (record_route_and_time(header, in.local_address, now) == options_outcome::source_routed) return 0;
    write_be16(header, ipv4_field::checksum, 0);
    write_be16(header, ipv4_field::checksum, checksum_of(header));
    auto icmp = ip.subspan(header.size());
    icmp[0] = icmpv4_type::echo_reply; // the type shares its checksummed word with the code
    adjust_checksum(icmp, icmpv4_field::checksum, std::uint16_t(icmpv4_type::echo_request) << 8,
                    std::uint16_t(icmpv4_type::echo_reply) << 8);
    return total;
  }

  actors::layer_counters& malformed_;
  actors::named_counter &replied_, &not_a_request_, &broadcast_ignored_;
};

} // namespace

std::vector<actors::registration> host_registrations(actors::counter_registry& counters,
                                                     const host_settings& settings) {
  std::vector<actors::registration> r{
    {"host", actors::frame_match::of_ethertype(ethertype::arp), std::make_shared<arp_responder>(counters, settings)},
    {"host", actors::frame_match::of_ip_protocol(ip_protocol::icmp),
     std::make_shared<icmp_echo_responder>(counters)},
  };
  for (auto& refusal : refusal_registrations(counters, settings)) r.push_back(std::move(refusal));
  return r;
}

} // namespace etherbeam::apps::host
