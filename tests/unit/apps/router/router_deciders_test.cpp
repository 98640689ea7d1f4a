#include "apps/router/router_deciders.hpp"

#include <gtest/gtest.h>

#include "actors/dispatcher.hpp"
#include "protocols/checksum.hpp"
#include "tests/unit/frame_bytes.hpp"
#include "tests/unit/test_values.hpp"

using namespace etherbeam::actors;
using namespace etherbeam::apps::router;
using namespace etherbeam::protocols;
using namespace etherbeam::test_frames;

namespace {

using frame = std::vector<std::uint8_t>;

using etherbeam::testing::ip;

// The router lab, link a as captured (etherbeam 10.77.0.2, MAC ce:89:d7:ed:bc:38,
// the client 10.77.0.1 behind 1e:58:23:16:e0:6f) and link b, 10.88.0.2/24.
stack_identity link_a() {
  stack_identity me;
  me.addresses.push_back(*ipv4_interface::from_string("10.77.0.2/24"));
  me.mac = mac_address::from_string("ce:89:d7:ed:bc:38");
  return me;
}
stack_identity link_b() {
  stack_identity me;
  me.addresses.push_back(*ipv4_interface::from_string("10.88.0.2/24"));
  me.mac = mac_address::from_string("02:00:00:00:0b:02");
  return me;
}

// Link b bridged with a third link, c, which holds no address of its own (apps/bridge).
std::vector<link_directory::link> bridged_links() {
  auto b = link_b();
  b.bridged = {2};
  stack_identity c;
  c.mac = mac_address::from_string("02:00:00:00:0c:02");
  c.joined = link_b().addresses;
  c.bridged = {1};
  return {{"a", "/nonexistent/a", link_a()}, {"b", "/nonexistent/b", b}, {"c", "/nonexistent/c", c}};
}

struct router_under_test {
  router_under_test() = default;
  explicit router_under_test(std::vector<static_route> routes) : statics(std::move(routes)) {}
  struct with_bridged_c {};
  explicit router_under_test(with_bridged_c, std::vector<static_route> routes = {})
      : statics(std::move(routes)), cache(std::make_shared<neighbour_cache>(3)),
        links(std::make_shared<const link_directory>(bridged_links())) {}
  std::vector<static_route> statics;
  counter_registry counters;
  std::vector<std::pair<link_index, routed_packet>> handed;
  std::vector<std::pair<link_index, arp_heard>> heard;
  std::shared_ptr<neighbour_cache> cache = std::make_shared<neighbour_cache>(2);
  std::shared_ptr<const link_directory> links = std::make_shared<const link_directory>(
    std::vector<link_directory::link>{{"a", "/nonexistent/a", link_a()}, {"b", "/nonexistent/b", link_b()}});
  dispatcher dispatch{{{"router", frame_match::every(),
                        std::make_shared<arp_listener>([this](link_index l, const arp_heard& a, caf::execution_unit*) {
                          heard.emplace_back(l, a);
                        })},
                       {"router", frame_match::unclaimed_frames(),
                        std::make_shared<forwarding_decider>(
                          counters,
                          std::make_shared<const route_table>(
                            std::vector<std::vector<ipv4_interface>>{link_a().addresses, link_b().addresses},
                            statics),
                          links, icmp_error_limits{},
                          [this](link_index l, routed_packet&& p, caf::execution_unit*) {
                            handed.emplace_back(l, std::move(p));
                            return true;
                          },
                          cache)}},
                      counters};

  std::pair<verdict, frame> decide(const frame& f, link_index link = 0) {
    frame out(std::max(f.size(), min_reply_room));
    auto v = dispatch.decide(f, *links->identity(link), out, nullptr, link);
    out.resize(v.reply_len);
    return {v, out};
  }
};

// The lab's echo request from 10.77.0.1, to 10.88.0.1 through us (TTL 64).
frame echo_to_b(std::uint8_t ttl = 64) {
  auto f = copy_of(echo_request);
  ip("10.88.0.1").write(f, ip_at + 16);
  f[ip_at + 8] = ttl;
  write_be16(f, ip_at + 10, 0);
  write_be16(f, ip_at + 10, checksum_of(view(f).subspan(ip_at, 20)));
  return f;
}

} // namespace

TEST(RouterDeciders, HandsThePacketToTheOutLinkWithItsTtlLowered) {
  router_under_test r;
  auto request = echo_to_b();
  auto [v, reply] = r.decide(request);
  EXPECT_EQ(v.outcome, verdict::kind::handed_off);
  ASSERT_EQ(r.handed.size(), 1u);
  auto& [link, p] = r.handed[0];
  EXPECT_EQ(link, 1u);
  EXPECT_EQ(p.next_hop, ip("10.88.0.1"));
  auto packet = p.packet.bytes();
  ASSERT_EQ(packet.size(), request.size() - ip_at) << "the IP packet alone: its link header is the next link's";
  EXPECT_EQ(packet[8], 63);
  EXPECT_TRUE(internet_checksum{}.add(packet.first(20)).verifies());
  EXPECT_TRUE(std::equal(packet.begin() + 20, packet.end(), request.begin() + ip_at + 20)) << "payload untouched";
}

// RFC 792/1812: from our address on the link it came in on, to its source,
// quoting its IP header (TTL as it arrived) and 8 bytes more.
// A next hop its neighbour actor knows to be REACHABLE: framed in the decider as
// a reply on link b, with b's MAC as source and the neighbour's as destination.
TEST(RouterDeciders, FramesAPacketForAReachableNextHopItself) {
  router_under_test r;
  auto neighbour = *mac_address::from_string("02:00:00:00:0b:01");
  r.cache->publish(1, std::make_shared<neighbour_cache::snapshot>(
                        neighbour_cache::snapshot{{ip("10.88.0.1").value, {neighbour, 1}}}));
  auto request = echo_to_b();
  auto [v, f] = r.decide(request);
  ASSERT_EQ(v.outcome, verdict::kind::reply);
  ASSERT_TRUE(v.out_link.has_value());
  EXPECT_EQ(*v.out_link, 1u) << "leaves on link b";
  EXPECT_EQ(v.name(), "router.routed");
  EXPECT_TRUE(r.handed.empty()) << "not through the neighbour actor";
  ASSERT_EQ(f.size(), request.size());
  EXPECT_EQ(mac_address::read(f, 0), neighbour);
  EXPECT_EQ(mac_address::read(f, 6), *link_b().mac);
  EXPECT_EQ(f[ip_at + 8], 63);
  EXPECT_TRUE(internet_checksum{}.add(byte_view(f).subspan(ip_at, 20)).verifies());
  EXPECT_TRUE(std::equal(f.begin() + ip_at + 20, f.end(), request.begin() + ip_at + 20)) << "the rest unchanged";
  // Once it is no longer REACHABLE, the neighbour actor takes the packets again.
  r.cache->publish(1, std::make_shared<neighbour_cache::snapshot>());
  auto [later, none] = r.decide(echo_to_b());
  EXPECT_EQ(later.outcome, verdict::kind::handed_off);
  EXPECT_EQ(r.handed.size(), 1u);
}

// A next hop on link b's subnet that answered ARP on link c, bridged with b:
// framed for link c, from c's MAC, and written to c.
TEST(RouterDeciders, SendsByTheBridgedLinkTheNextHopAnsweredOn) {
  router_under_test r{router_under_test::with_bridged_c{}};
  auto neighbour = *mac_address::from_string("02:00:00:00:0c:01");
  r.cache->publish(1, std::make_shared<neighbour_cache::snapshot>(
                        neighbour_cache::snapshot{{ip("10.88.0.1").value, {neighbour, 2}}}));
  auto [v, f] = r.decide(echo_to_b());
  ASSERT_EQ(v.outcome, verdict::kind::reply);
  EXPECT_EQ(v.out_link, std::optional<link_index>{2});
  EXPECT_EQ(mac_address::read(f, 0), neighbour);
  EXPECT_EQ(mac_address::read(f, 6), *mac_address::from_string("02:00:00:00:0c:02"));
}

// An ARP answer heard on link c is told to c's neighbour actor and to b's, bridged with it.
TEST(RouterDeciders, ArpHeardOnABridgedLinkIsToldToEveryMembersNeighbours) {
  router_under_test r{router_under_test::with_bridged_c{}};
  auto request = copy_of(arp_request); // the lab's, for 10.77.0.2: re-aimed at b's address, joined on c
  ip("10.88.0.2").write(request, 14 + 24);
  r.decide(request, 2);
  ASSERT_EQ(r.heard.size(), 2u);
  EXPECT_EQ(r.heard[0].first, 2u);
  EXPECT_EQ(r.heard[1].first, 1u);
  EXPECT_EQ(r.heard[1].second.port, 2u) << "heard on c";
}

TEST(RouterDeciders, AnswersAnExpiringTtlWithTimeExceeded) {
  router_under_test r;
  auto request = echo_to_b(1);
  auto [v, reply] = r.decide(request);
  ASSERT_EQ(v.outcome, verdict::kind::reply);
  EXPECT_TRUE(r.handed.empty());
  // RFC 1812 §4.3.2.3: as much of the datagram as fits (here all of it, in the
  // reply room a frame is given: its size, at least min_reply_room).
  ASSERT_EQ(reply.size(), 14u + 20 + 8 + (request.size() - 14));
  EXPECT_TRUE(std::equal(reply.begin(), reply.begin() + 6, request.begin() + 6)) << "to the sender's MAC";
  EXPECT_EQ(ipv4_address::read(reply, ip_at + 12), ip("10.77.0.2"));
  EXPECT_EQ(ipv4_address::read(reply, ip_at + 16), ip("10.77.0.1"));
  EXPECT_TRUE(internet_checksum{}.add(view(reply).subspan(ip_at, 20)).verifies());
  EXPECT_EQ(reply[34], 11);
  EXPECT_EQ(reply[35], 0);
  EXPECT_TRUE(internet_checksum{}.add(view(reply).subspan(34)).verifies());
  EXPECT_TRUE(std::equal(reply.begin() + 42, reply.end(), request.begin() + ip_at)) << "the quote";
}

TEST(RouterDeciders, LeavesFramesForOtherMacsAndOwnAddressesAlone) {
  router_under_test r;
  auto other_mac = echo_to_b();
  other_mac[0] = 0x02; // to some other host on link a
  EXPECT_EQ(r.decide(other_mac).first.outcome, verdict::kind::ignored);
  auto to_b_address = echo_to_b();
  ip("10.88.0.2").write(to_b_address, ip_at + 16);
  write_be16(to_b_address, ip_at + 10, 0);
  write_be16(to_b_address, ip_at + 10, checksum_of(view(to_b_address).subspan(ip_at, 20)));
  EXPECT_EQ(r.decide(to_b_address).first.outcome, verdict::kind::ignored);
  EXPECT_TRUE(r.handed.empty());
}

// The lab's ARP request from the client for 10.77.0.2: the neighbour table
// hears of 10.77.0.1, and the host's ARP still answers (the stage passes).
TEST(RouterDeciders, ListensToArpAndPassesItOn) {
  router_under_test r;
  auto [v, reply] = r.decide(copy_of(arp_request));
  EXPECT_NE(v.outcome, verdict::kind::pass);
  ASSERT_EQ(r.heard.size(), 1u);
  EXPECT_EQ(r.heard[0].first, 0u);
  EXPECT_EQ(r.heard[0].second.ip, ip("10.77.0.1"));
  EXPECT_FALSE(r.heard[0].second.is_reply);
  EXPECT_EQ(r.heard[0].second.port, 0u) << "heard on link a";
}

namespace {

// The parts of a frame the dispatcher would have read, for deciders called directly.
struct read_frame {
  frame bytes;
  ethernet_repr eth;
  ipv4_packet packet;
  ipv4_repr header;
  inbound_frame in;
  read_frame(frame f, const stack_identity& me, named_counter& because)
      : bytes(std::move(f)), eth(ethernet_repr::parse(*ethernet_frame::check(bytes))),
        packet(*ipv4_packet::check(view(bytes).subspan(ip_at))), header(*ipv4_repr::parse(packet)) {
    in.bytes = bytes;
    in.ethernet = &eth;
    in.ethernet_payload = view(bytes).subspan(ip_at);
    in.ip_packet = &packet;
    in.ip = &header;
    in.me = &me;
    in.unclaimed_because = &because;
  }
};

} // namespace

// An expiring packet that masquerade rewrote (source 10.88.0.2, another echo
// identifier): the error goes to its sender, 10.77.0.1, and quotes the packet
// as that host sent it, which is the only one it can match to its socket
// (traceroute through a NAT router sees the router).
TEST(RouterDeciders, AnErrorAboutARewrittenPacketIsAboutThePacketAsItsSenderSentIt) {
  router_under_test r;
  auto& because = r.counters.add("test.unclaimed");
  auto me = link_a();
  read_frame sent(echo_to_b(1), me, because);
  auto rewritten_bytes = sent.bytes;
  ip("10.88.0.2").write(rewritten_bytes, ip_at + 12);
  write_be16(rewritten_bytes, ip_at + 20 + 4, 0x9999); // the echo identifier (checksums left: not read here)
  read_frame rewritten(rewritten_bytes, me, because);
  forwarding_decider forwarding{r.counters,
                                std::make_shared<const route_table>(
                                  std::vector<std::vector<ipv4_interface>>{link_a().addresses, link_b().addresses},
                                  std::vector<static_route>{}),
                                r.links, icmp_error_limits{},
                                [](link_index, routed_packet&&, caf::execution_unit*) { return true; }};
  std::vector<std::uint8_t> reply(std::max(sent.bytes.size(), min_reply_room));
  auto v = forwarding.decide_translated(rewritten.in, sent.in, reply);
  ASSERT_EQ(v.outcome, verdict::kind::reply);
  reply.resize(v.reply_len);
  EXPECT_EQ(reply[34], 11) << "time exceeded";
  EXPECT_EQ(ipv4_address::read(reply, ip_at + 16), ip("10.77.0.1")) << "to the sender, not to our own NAT address";
  EXPECT_TRUE(std::equal(reply.begin() + 42, reply.end(), sent.bytes.begin() + ip_at)) << "the packet as sent";
}

TEST(RouterDeciders, APacketLeavingByTheLinkItCameInByIsForwardedAndItsSenderRedirected) {
  // Another router on link a, 10.77.0.5, is the way to 10.99.0.0/16: the lab's client,
  // which sent its ping to us, is told to use it (RFC 1812 §5.2.7.2), and the ping goes on.
  std::string why;
  router_under_test r({*parse_static_route("10.99.0.0/16 via 10.77.0.5", why)});
  auto request = echo_to_b();
  ip("10.99.0.1").write(request, ip_at + 16);
  write_be16(request, ip_at + 10, 0);
  write_be16(request, ip_at + 10, checksum_of(view(request).subspan(ip_at, 20)));
  auto [v, reply] = r.decide(request);
  ASSERT_EQ(v.outcome, verdict::kind::reply);
  EXPECT_EQ(v.name(), "reply.icmp_redirect");
  ASSERT_EQ(r.handed.size(), 1u);
  EXPECT_EQ(r.handed[0].first, 0u); // back out link a
  EXPECT_EQ(r.handed[0].second.next_hop, ip("10.77.0.5"));
  auto packet = ipv4_packet::check(view(reply).subspan(ip_at));
  ASSERT_TRUE(packet);
  EXPECT_EQ(packet->source(), ip("10.77.0.2"));
  EXPECT_EQ(packet->destination(), ip("10.77.0.1"));
  auto icmp = packet->payload();
  EXPECT_EQ(icmp[0], 5);                             // redirect
  EXPECT_EQ(icmp[1], 1);                             // for the host
  EXPECT_EQ(ipv4_address::read(icmp, 4), ip("10.77.0.5")); // the better gateway
  EXPECT_TRUE(internet_checksum{}.add(icmp).verifies());
  EXPECT_EQ(ipv4_address::read(icmp, 8 + 16), ip("10.99.0.1")); // quoting the ping
  // The next one, at once: forwarded by the fast path's rules, not redirected again yet.
  auto [again, _] = r.decide(request);
  EXPECT_NE(again.name(), "reply.icmp_redirect");
  EXPECT_EQ(r.handed.size(), 2u);
}

// The same through a bridge: from a host behind link c to a gateway on the subnet link b
// holds, b and c bridged. In by c, out by b is out by the segment it came from.
TEST(RouterDeciders, APacketLeavingByAnotherPortOfItsBridgeIsForwardedAndItsSenderRedirected) {
  std::string why;
  router_under_test r{router_under_test::with_bridged_c{}, {*parse_static_route("10.99.0.0/16 via 10.88.0.7", why)}};
  auto request = echo_to_b();
  auto c_mac = *mac_address::from_string("02:00:00:00:0c:02");
  std::copy(c_mac.octets.begin(), c_mac.octets.end(), request.begin());
  ip("10.88.0.5").write(request, ip_at + 12);
  ip("10.99.0.1").write(request, ip_at + 16);
  write_be16(request, ip_at + 10, 0);
  write_be16(request, ip_at + 10, checksum_of(view(request).subspan(ip_at, 20)));
  auto [v, reply] = r.decide(request, 2);
  ASSERT_EQ(v.outcome, verdict::kind::reply);
  EXPECT_EQ(v.name(), "reply.icmp_redirect");
  ASSERT_EQ(r.handed.size(), 1u);
  EXPECT_EQ(r.handed[0].first, 1u); // by link b's neighbours, which find the gateway on whichever port
  auto packet = ipv4_packet::check(view(reply).subspan(ip_at));
  ASSERT_TRUE(packet);
  EXPECT_EQ(packet->source(), ip("10.88.0.2")); // the bridge's address, joined on c
  EXPECT_EQ(ipv4_address::read(packet->payload(), 4), ip("10.88.0.7"));
}

TEST(RedirectBackoff, AsLinuxPacesThemAndGivesUpOnAHostThatDoesNotListen) {
  using namespace std::chrono_literals;
  redirect_backoff pace;
  auto t = redirect_backoff::clock::now();
  std::uint32_t host = ip("10.77.0.1").value;
  EXPECT_TRUE(pace.may_send(host, t));
  EXPECT_FALSE(pace.may_send(host, t + 39ms)); // twice 20 ms after the first
  EXPECT_TRUE(pace.may_send(host, t + 40ms));
  EXPECT_FALSE(pace.may_send(host, t + 40ms + 79ms));
  EXPECT_TRUE(pace.may_send(host, t + 120ms));
  auto now = t + 120ms;
  for (unsigned sent = 3; sent < redirect_backoff::most; ++sent) {
    now += redirect_backoff::first_wait * (1u << sent);
    EXPECT_TRUE(pace.may_send(host, now)) << sent;
  }
  // Nine sent: no more while the host keeps sending, however long.
  for (int i = 1; i <= 30; ++i) EXPECT_FALSE(pace.may_send(host, now + i * 1s));
  // Quiet for 20.48 s: from the start again.
  EXPECT_TRUE(pace.may_send(host, now + 30s + 21s));
  // Another host is paced on its own.
  EXPECT_TRUE(pace.may_send(ip("10.77.0.9").value, t));
}
