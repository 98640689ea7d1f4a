#include "apps/host/host_refusals.hpp"

#include <memory>

#include "actors/token_bucket.hpp"
#include "protocols/frame_repr.hpp"

namespace etherbeam::apps::host {

using namespace protocols;
using actors::inbound_frame;
using actors::verdict;

namespace {

// RFC 1122 §3.2.2: no ICMP error about a datagram sent to a broadcast or
// multicast address, IP or link-layer (fragments never get this far); and
// §4.2.3.10: a TCP segment to one is dropped unanswered.
bool to_a_group(const inbound_frame& in) { return in.to_broadcast || in.ethernet->destination.is_group(); }

// An ICMP destination unreachable quoting the datagram, rate-limited over
// every ICMP error the host sends (Linux's icmp_msgs_per_sec and burst).
class destination_unreachable final : public actors::frame_decider {
public:
  destination_unreachable(std::uint8_t code, actors::named_counter& replied, actors::named_counter& refused,
                          actors::named_counter& rate_limited, std::shared_ptr<actors::token_bucket> bucket)
      : code_(code), replied_(replied), refused_(refused), rate_limited_(rate_limited), bucket_(std::move(bucket)) {}

  verdict decide(const inbound_frame& in, byte_buffer out) const override {
    if (to_a_group(in)) return verdict::ignore(refused_);
    if (!bucket_->take()) return verdict::ignore(rate_limited_);
    auto len = emit_icmp_error(answering(*in.ethernet, *in.me->mac), in.local_address, *in.ip_packet,
                               icmpv4_type::destination_unreachable, code_, 0, out);
    if (len == 0) return verdict::ignore(refused_); // no room: never happens with min_reply_room
    return verdict::replied(replied_, len);
  }

private:
  std::uint8_t code_;
  actors::named_counter &replied_, &refused_, &rate_limited_;
  std::shared_ptr<actors::token_bucket> bucket_;
};

// RFC 9293 §3.10.7.1, a segment to a port in state CLOSED: a reset, unless it
// is one. Not rate-limited, as Linux's is not: the reset is never larger
// than the segment. A segment whose checksum fails is dropped unanswered.
class tcp_reset final : public actors::frame_decider {
public:
  explicit tcp_reset(actors::counter_registry& c)
      : replied_(c.add("reply.tcp_reset")), no_service_(c.add("ignored.no_tcp_service")),
        bad_checksum_(c.add("ignored.tcp_bad_checksum")) {}

  verdict decide(const inbound_frame& in, byte_buffer out) const override {
    if (to_a_group(in)) return verdict::ignore(no_service_);
    if (transport_checksum(in.ip_packet->payload(), in.ip->source, in.ip->destination, ip_protocol::tcp) != 0)
      return verdict::ignore(bad_checksum_);
    // The request's type of service, as Linux's TCP answers with.
    auto len = emit_tcp_reset(answering(*in.ethernet, *in.me->mac), *in.ip_packet, in.ip->type_of_service, out);
    if (len == 0) return verdict::ignore(no_service_);
    return verdict::replied(replied_, len);
  }

private:
  actors::named_counter &replied_, &no_service_, &bad_checksum_;
};

} // namespace

std::vector<actors::registration> refusal_registrations(actors::counter_registry& counters,
                                                        const host_settings& settings) {
  auto bucket = std::make_shared<actors::token_bucket>(settings.errors_per_second, settings.error_burst);
  auto& rate_limited = counters.add("ignored.icmp_error_rate_limited");
  std::vector<actors::registration> r;
  if (settings.port_unreachable)
    r.push_back({"host", actors::frame_match::unserved_udp(),
                 std::make_shared<destination_unreachable>(icmpv4_unreachable::port,
                                                           counters.add("reply.icmp_port_unreachable"),
                                                           counters.add("ignored.no_udp_service"), rate_limited,
                                                           bucket)});
  if (settings.tcp_reset)
    r.push_back({"host", actors::frame_match::unserved_tcp(), std::make_shared<tcp_reset>(counters)});
  if (settings.protocol_unreachable)
    r.push_back({"host", actors::frame_match::unserved_ip_protocol(),
                 std::make_shared<destination_unreachable>(icmpv4_unreachable::protocol,
                                                           counters.add("reply.icmp_protocol_unreachable"),
                                                           counters.add("ignored.unsupported_ip_protocol"),
                                                           rate_limited, bucket)});
  return r;
}

} // namespace etherbeam::apps::host
