#include "apps/host/host_refusals.hpp"

#include <memory>

#include "actors/token_bucket.hpp"
#include "protocols/checksum.hpp"
#include "protocols/frame_repr.hpp"
#include "protocols/tcp.hpp"

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
    auto link = answering(*in.ethernet, *in.me->mac);
    icmpv4_error_repr error{icmpv4_type::destination_unreachable, code_, 0,
                            icmpv4_error_repr::quote_of(in.ethernet_payload.first(in.ip_packet->total_len()),
                                                        in.ip_packet->header_len(),
                                                        icmpv4_error_repr::room_in(out.size(), link.header_len()))};
    auto ip = answering(*in.ip, in.local_address);
    ip.identification = 0;
    ip.dont_fragment = false;
    ip.type_of_service = 0xc0; // internetwork control, as Linux marks its ICMP errors
    frame_repr reply{link, ipv4_datagram_repr{ip, error}};
    auto len = reply.emit(out);
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
    auto segment = in.ip_packet->payload();
    if (to_a_group(in) || segment.size() < tcp_header_repr::header_len) return verdict::ignore(no_service_);
    std::size_t header = std::size_t(segment[tcp_field::data_offset] >> 4) * 4;
    if (header < tcp_header_repr::header_len || header > segment.size()) return verdict::ignore(no_service_);
    if (segment[tcp_field::flags] & tcp_field::rst) return verdict::ignore(no_service_);
    internet_checksum sum;
    sum.add_u32(in.ip->source.value).add_u32(in.ip->destination.value).add_u16(ip_protocol::tcp);
    sum.add_u16(static_cast<std::uint16_t>(segment.size())).add(segment);
    if (!sum.verifies()) return verdict::ignore(bad_checksum_);
    auto ip = answering(*in.ip, in.local_address);
    ip.identification = 0;
    ip.dont_fragment = true; // as Linux sends its resets
    ip.ttl = 64;
    frame_repr reply{answering(*in.ethernet, *in.me->mac),
                     ipv4_datagram_repr{ip, tcp_header_repr::reset_for(segment, segment.size() - header)}};
    auto len = reply.emit(out);
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
