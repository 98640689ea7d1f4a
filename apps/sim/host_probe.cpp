#include "apps/sim/host_probe.hpp"

#include <algorithm>
#include <array>
#include <cstdio>

#include "apps/sim/dhcp_host_frames.hpp"
#include "protocols/arp.hpp"
#include "protocols/ethernet.hpp"
#include "protocols/frame_repr.hpp"
#include "protocols/icmpv4.hpp"
#include "protocols/ipv4.hpp"

namespace etherbeam::apps::sim {

namespace {

// ping's default payload size: 56 bytes (here a counting pattern).
constexpr std::array<std::uint8_t, 56> echo_payload = [] {
  std::array<std::uint8_t, 56> p{};
  for (std::size_t i = 0; i < p.size(); ++i) p[i] = static_cast<std::uint8_t>(i);
  return p;
}();

std::vector<std::uint8_t> emitted(const protocols::frame_repr& f) {
  std::vector<std::uint8_t> out(f.buffer_len());
  out.resize(f.emit(out));
  return out;
}

std::string in_ms(std::chrono::microseconds t) {
  char text[32];
  std::snprintf(text, sizeof text, "%.3f", static_cast<double>(t.count()) / 1000.0);
  return text;
}

} // namespace

host_probe::host_probe(probe_request request, probe_source source) : request_(request), source_(source) {
  request_.count = std::max(1u, request_.count);
}

std::vector<std::uint8_t> host_probe::arp_request() const {
  return emitted({host_ethernet(protocols::mac_address::broadcast(), source_.mac, source_.vlan),
                  protocols::arp_repr{protocols::arp_operation::request, source_.mac, source_.address.address, {},
                                      request_.target}});
}

std::vector<std::uint8_t> host_probe::echo_request() const {
  protocols::ipv4_repr ip;
  ip.source = source_.address.address;
  ip.destination = request_.target;
  ip.dont_fragment = true; // as Linux's ping sends
  ip.identification = static_cast<std::uint16_t>(source_.echo_identifier + echoes_sent_);
  protocols::icmpv4_echo_repr echo{true, source_.echo_identifier, static_cast<std::uint16_t>(echoes_sent_ + 1),
                                   protocols::byte_view(echo_payload)};
  return emitted({host_ethernet(*target_mac_, source_.mac, source_.vlan), protocols::ipv4_datagram_repr{ip, echo}});
}

std::vector<std::uint8_t> host_probe::begin(clock::time_point now) {
  ++arp_sent_;
  sent_at_ = now;
  deadline_ = now + wait;
  return arp_request();
}

host_probe::step host_probe::next_echo(clock::time_point now) {
  if (request_.kind == probe_kind::arp || echoes_sent_ == request_.count) {
    done_ = true;
    return {true, std::nullopt};
  }
  auto frame = echo_request();
  ++echoes_sent_;
  sent_at_ = now;
  deadline_ = now + wait;
  return {true, std::move(frame)};
}

host_probe::step host_probe::on_frame(protocols::byte_view frame, clock::time_point now) {
  if (done_) return {};
  auto eth = protocols::ethernet_frame::check(frame);
  if (!eth || eth->destination() != source_.mac) return {};
  auto rtt = std::chrono::duration_cast<std::chrono::microseconds>(now - sent_at_);
  if (!target_mac_) {
    if (eth->ethertype() != protocols::ethertype::arp) return {};
    auto packet = protocols::arp_packet::check(eth->payload());
    if (!packet) return {};
    auto arp = protocols::arp_repr::parse(*packet);
    if (!arp || arp->operation != protocols::arp_operation::reply || arp->sender_protocol != request_.target)
      return {};
    target_mac_ = arp->sender_hardware;
    arp_rtt_ = rtt;
    return next_echo(now);
  }
  if (eth->ethertype() != protocols::ethertype::ipv4) return {};
  auto ip = protocols::ipv4_packet::check(eth->payload());
  if (!ip || ip->protocol() != protocols::ip_protocol::icmp || ip->source() != request_.target) return {};
  auto icmp = protocols::icmpv4_packet::check(ip->payload());
  if (!icmp || icmp->type() != protocols::icmpv4_type::echo_reply ||
      icmp->echo_identifier() != source_.echo_identifier || icmp->echo_sequence() != echoes_sent_ ||
      !icmp->checksum_valid())
    return {};
  ++echoes_received_;
  echo_rtts_.push_back(rtt);
  return next_echo(now);
}

host_probe::step host_probe::on_timeout(clock::time_point now) {
  if (done_) return {};
  if (!target_mac_) {
    if (arp_sent_ == arp_tries) {
      done_ = true;
      return {};
    }
    return {false, begin(now)};
  }
  return next_echo(now);
}

std::string host_probe::report() const {
  auto from = source_.address.address.to_string() + " (" + source_.mac.to_string() + ")";
  auto target = request_.target.to_string();
  if (!target_mac_)
    return "ARP for " + target + " from " + from + ": no answer to " + std::to_string(arp_sent_) + " requests\n";
  std::string out = target + " is at " + target_mac_->to_string() + " (ARP from " + from + ": " +
                    in_ms(arp_rtt_) + " ms)\n";
  if (request_.kind == probe_kind::arp) return out;
  out += "ping " + target + " from " + from + ": " + std::to_string(echoes_sent_) + " sent, " +
         std::to_string(echoes_received_) + " received";
  if (!echo_rtts_.empty()) {
    auto [least, most] = std::minmax_element(echo_rtts_.begin(), echo_rtts_.end());
    std::chrono::microseconds sum{};
    for (auto r : echo_rtts_) sum += r;
    out += ", rtt min/avg/max = " + in_ms(*least) + "/" +
           in_ms(sum / static_cast<long>(echo_rtts_.size())) + "/" + in_ms(*most) + " ms";
  }
  return out + "\n";
}

} // namespace etherbeam::apps::sim
