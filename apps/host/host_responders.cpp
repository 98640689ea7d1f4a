#include "apps/host/host_responders.hpp"

#include "protocols/frame_repr.hpp"

namespace etherbeam::apps::host {

using namespace protocols;
using actors::inbound_frame;
using actors::verdict;

namespace {

class arp_responder final : public actors::frame_decider {
public:
  explicit arp_responder(actors::counter_registry& c)
      : malformed_(c.add_layer("arp")), replied_(c.add("reply.arp_reply")),
        not_a_request_(c.add("ignored.not_a_request")), not_our_address_(c.add("ignored.not_our_address")),
        bad_source_address_(c.add("ignored.bad_source_address")) {}

  verdict decide(const inbound_frame& in, byte_buffer out) const override {
    auto packet = arp_packet::check(in.ethernet_payload);
    if (!packet) return verdict::malformed(malformed_, packet.error());
    auto arp = arp_repr::parse(*packet);
    if (!arp) return verdict::malformed(malformed_, arp.error());
    if (arp->operation != arp_operation::request) return verdict::ignore(not_a_request_);
    if (!in.me->owns(arp->target_protocol)) return verdict::ignore(not_our_address_);
    // RFC 5227 §2.4: a gratuitous ARP claiming our own address is a conflict
    // to notice, not a question to answer.
    if (arp->sender_protocol == arp->target_protocol) return verdict::ignore(bad_source_address_);
    const auto& me = *in.me->mac;
    frame_repr reply{answering(*in.ethernet, me),
                     arp_repr{arp_operation::reply, me, arp->target_protocol, arp->sender_hardware,
                              arp->sender_protocol}};
    return verdict::replied(replied_, reply.emit(out));
  }

private:
  actors::layer_counters& malformed_;
  actors::named_counter &replied_, &not_a_request_, &not_our_address_, &bad_source_address_;
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
    frame_repr reply{answering(*in.ethernet, *in.me->mac),
                     ipv4_datagram_repr{answering(*in.ip, in.local_address),
                                        icmpv4_echo_repr{false, echo->identifier, echo->sequence, echo->data}}};
    return verdict::replied(replied_, reply.emit(out));
  }

private:
  actors::layer_counters& malformed_;
  actors::named_counter &replied_, &not_a_request_, &broadcast_ignored_;
};

} // namespace

std::vector<actors::registration> host_registrations(actors::counter_registry& counters) {
  return {
    {"host", actors::frame_match::of_ethertype(ethertype::arp), std::make_shared<arp_responder>(counters)},
    {"host", actors::frame_match::of_ip_protocol(ip_protocol::icmp),
     std::make_shared<icmp_echo_responder>(counters)},
  };
}

} // namespace etherbeam::apps::host
