#include "apps/dhcp/dhcp_server.hpp"

#include <gtest/gtest.h>

#include "protocols/ipv4.hpp"
#include "protocols/udp.hpp"
#include "tests/unit/apps/dhcp/dhcp_options.hpp"
#include "tests/unit/frame_bytes.hpp"
#include "tests/unit/test_values.hpp"

using namespace etherbeam::apps::dhcp;
using namespace etherbeam::protocols;
using namespace etherbeam::test_frames;

namespace {

using etherbeam::testing::ip;
using etherbeam::testing::mac;

// A DHCP message from a captured frame, as the frame actor would hand it over.
dhcp_inbound inbound(byte_view frame) {
  auto eth_frame = *ethernet_frame::check(frame);
  dhcp_inbound in;
  in.ethernet = ethernet_repr::parse(eth_frame);
  auto ip_packet = *ipv4_packet::check(eth_frame.payload());
  in.ip_source = ip_packet.source();
  auto udp = *udp_packet::check(ip_packet.payload());
  auto message = dhcp_repr::parse(*dhcp_packet::check(udp.payload()));
  EXPECT_TRUE(message);
  in.message = *message;
  return in;
}

using etherbeam::testing::now;

class DhcpServer : public ::testing::Test {
protected:
  DhcpServer() {
    dhcp_subnet s;
    s.network = *ipv4_interface::from_string("10.77.0.0/24");
    s.pools = {{ip("10.77.0.100"), ip("10.77.0.199")}};
    s.options = {test_options::named("routers", {"10.77.0.1"}), test_options::named("dns_servers", {"10.77.0.53"}),
                 test_options::named("ntp_servers", {"10.77.0.123"}),
                 test_options::named("domain_name", {"lab.example"})};
    s.lease_time = 3600;
    settings.subnets.push_back(s);
  }
  // The captures were made against a server at 10.77.0.3: be that server.
  dhcp_server server() const { return dhcp_server{settings, {*ipv4_interface::from_string("10.77.0.3/24")}}; }
  // The outcome's options view the server's settings: the server lives on
  // until the next call.
  dhcp_outcome handle(const dhcp_inbound& in) {
    current.emplace(server());
    return current->handle(in, table, now);
  }
  void apply(const dhcp_outcome& o) {
    if (o.change) table.put(*o.change);
  }
  void bind(const char* address, const client_key& key, std::int64_t expires = now + 1000) {
    table.put(lease{ip(address), key, mac("02:00:00:00:00:99"), "", expires, lease_state::bound});
  }

  dhcp_settings settings;
  lease_table table;
  std::optional<dhcp_server> current;
};

} // namespace

TEST_F(DhcpServer, offers_the_first_free_address_with_what_dhclient_asked_for) {
  auto o = handle(inbound(dhclient_discover));
  EXPECT_EQ(o.event, dhcp_event::offered);
  ASSERT_TRUE(o.reply);
  const auto& r = *o.reply;
  EXPECT_EQ(r.message_type, dhcp_message_type::offer);
  EXPECT_EQ(r.op, bootp_op::reply);
  EXPECT_EQ(r.transaction_id, 0xa313ba5bu);
  EXPECT_EQ(r.your_address, ip("10.77.0.100"));
  EXPECT_EQ(r.server_identifier, ip("10.77.0.3"));
  EXPECT_EQ(r.lease_time, 3600u);
  EXPECT_EQ(r.renewal_time, 1800u);
  EXPECT_EQ(r.rebinding_time, 3150u);
  EXPECT_EQ(r.subnet_mask, ip("255.255.255.0"));
  EXPECT_EQ(test_options::decided(o, "routers"), "10.77.0.1");
  EXPECT_EQ(test_options::decided(o, "domain_name_servers"), "10.77.0.53");
  EXPECT_EQ(test_options::decided(o, "domain_name"), "lab.example");
  EXPECT_EQ(test_options::decided(o, "ntp_servers"), std::nullopt) << "dhclient did not ask for NTP servers";
  ASSERT_TRUE(o.change);
  EXPECT_EQ(o.change->state, lease_state::offered);
  EXPECT_FALSE(o.durable) << "offers are not journaled";
  EXPECT_EQ(o.server_address, ip("10.77.0.3"));
}

TEST_F(DhcpServer, offers_udhcpc_its_ntp_servers_because_it_asks) {
  auto o = handle(inbound(udhcpc_discover));
  ASSERT_TRUE(o.reply);
  EXPECT_EQ(test_options::decided(o, "ntp_servers"), "10.77.0.123");
}

TEST_F(DhcpServer, an_offer_holds_its_address_against_other_clients) {
  apply(handle(inbound(dhclient_discover)));
  auto other = handle(inbound(udhcpc_discover));
  EXPECT_EQ(other.reply->your_address, ip("10.77.0.101"));
}

TEST_F(DhcpServer, acks_a_selecting_request_and_makes_the_lease_durable) {
  auto o = handle(inbound(dhclient_request)); // asks for 10.77.0.125 from 10.77.0.3
  EXPECT_EQ(o.event, dhcp_event::acked);
  EXPECT_EQ(o.reply->message_type, dhcp_message_type::ack);
  EXPECT_EQ(o.reply->your_address, ip("10.77.0.125"));
  ASSERT_TRUE(o.change);
  EXPECT_TRUE(o.durable);
  EXPECT_EQ(o.change->state, lease_state::bound);
  EXPECT_EQ(o.change->expires, now + 3600);
  EXPECT_EQ(o.change->host_name, "dhclient-host");
  EXPECT_EQ(o.change->client, client_key_of(mac("ee:08:ef:89:57:0c")));
}

TEST_F(DhcpServer, stays_silent_and_frees_its_offer_when_the_client_chose_another_server) {
  apply(handle(inbound(dhclient_discover)));
  auto in = inbound(dhclient_request);
  in.message.server_identifier = ip("10.77.0.4");
  auto o = handle(in);
  EXPECT_EQ(o.event, dhcp_event::for_other_server);
  EXPECT_FALSE(o.reply);
  ASSERT_TRUE(o.change);
  EXPECT_EQ(o.change->state, lease_state::released);
}

TEST_F(DhcpServer, naks_a_request_for_an_address_another_client_holds) {
  bind("10.77.0.125", client_key_of(mac("02:00:00:00:00:01")));
  auto o = handle(inbound(dhclient_request));
  EXPECT_EQ(o.event, dhcp_event::nak_sent);
  EXPECT_EQ(o.reply->message_type, dhcp_message_type::nak);
  EXPECT_TRUE(o.reply->your_address.is_unspecified());
  EXPECT_FALSE(o.reply->lease_time);
  EXPECT_FALSE(o.change);
}

TEST_F(DhcpServer, naks_a_request_outside_every_pool) {
  auto in = inbound(dhclient_request);
  in.message.requested_address = ip("10.77.0.20");
  EXPECT_EQ(handle(in).event, dhcp_event::nak_sent);
}

TEST_F(DhcpServer, init_reboot_follows_rfc2131_4_3_2) {
  auto in = inbound(dhclient_request);
  in.message.server_identifier.reset(); // INIT-REBOOT: requested address, no server id
  auto key = client_key_of(in.message);
  EXPECT_EQ(handle(in).event, dhcp_event::unknown_client) << "no record: not ours to judge";
  bind("10.77.0.125", key);
  EXPECT_EQ(handle(in).event, dhcp_event::acked);
  in.message.requested_address = ip("10.77.0.130");
  EXPECT_EQ(handle(in).event, dhcp_event::nak_sent) << "asks for an address it does not hold";
  in.message.requested_address = ip("192.168.1.20");
  EXPECT_EQ(handle(in).event, dhcp_event::nak_sent) << "moved to another network";
}

TEST_F(DhcpServer, renewing_extends_the_clients_lease_and_echoes_ciaddr) {
  auto in = inbound(dhclient_request);
  in.message.server_identifier.reset();
  in.message.requested_address.reset();
  in.message.client_address = ip("10.77.0.125");
  bind("10.77.0.125", client_key_of(in.message), now + 10);
  auto o = handle(in);
  EXPECT_EQ(o.event, dhcp_event::acked);
  EXPECT_EQ(o.reply->client_address, ip("10.77.0.125"));
  EXPECT_EQ(o.change->expires, now + 3600);
  // The same address held by somebody else: NAK.
  table = {};
  bind("10.77.0.125", client_key_of(mac("02:00:00:00:00:01")));
  EXPECT_EQ(handle(in).event, dhcp_event::nak_sent);
}

TEST_F(DhcpServer, a_returning_client_gets_its_previous_address) {
  auto in = inbound(dhclient_discover);
  table.put(lease{ip("10.77.0.150"), client_key_of(in.message), in.message.client_hardware, "", now - 5,
                  lease_state::released});
  EXPECT_EQ(handle(in).reply->your_address, ip("10.77.0.150"));
}

TEST_F(DhcpServer, new_clients_get_never_used_addresses_before_expired_ones) {
  table.put(lease{ip("10.77.0.100"), client_key_of(mac("02:00:00:00:00:01")), {}, "", now - 5,
                  lease_state::released});
  EXPECT_EQ(handle(inbound(dhclient_discover)).reply->your_address, ip("10.77.0.101"));
}

TEST_F(DhcpServer, honours_reservations_by_mac_and_by_client_identifier) {
  auto& s = settings.subnets[0];
  s.reservations.push_back({mac("ee:08:ef:89:57:0c"), {}, ip("10.77.0.10"), "printer"});
  auto udhcpc = inbound(udhcpc_discover);
  s.reservations.push_back({std::nullopt, client_key_of(udhcpc.message), ip("10.77.0.11"), ""});
  auto o = handle(inbound(dhclient_discover));
  EXPECT_EQ(o.reply->your_address, ip("10.77.0.10"));
  EXPECT_EQ(test_options::decided(o, "host_name"), "printer");
  EXPECT_EQ(handle(udhcpc).reply->your_address, ip("10.77.0.11"));
  // Nobody else gets a reserved address, even when asking for it.
  auto other = inbound(dhcpcd_discover);
  other.message.requested_address = ip("10.77.0.10");
  EXPECT_EQ(handle(other).reply->your_address, ip("10.77.0.100"));
}

TEST_F(DhcpServer, skips_excluded_addresses_and_its_own) {
  settings.subnets[0].excluded = {ip("10.77.0.100")};
  settings.subnets[0].pools = {{ip("10.77.0.100"), ip("10.77.0.103")}};
  dhcp_server s{settings, {*ipv4_interface::from_string("10.77.0.101/24")}};
  EXPECT_EQ(s.handle(inbound(dhclient_discover), table, now).reply->your_address, ip("10.77.0.102"));
}

TEST_F(DhcpServer, says_nothing_when_the_pool_is_exhausted) {
  settings.subnets[0].pools = {{ip("10.77.0.100"), ip("10.77.0.100")}};
  bind("10.77.0.100", client_key_of(mac("02:00:00:00:00:01")));
  auto o = handle(inbound(dhclient_discover));
  EXPECT_EQ(o.event, dhcp_event::pool_exhausted);
  EXPECT_FALSE(o.reply);
}

TEST_F(DhcpServer, a_declined_address_is_held_back_then_offered_again) {
  auto in = inbound(dhclient_request);
  auto key = client_key_of(in.message);
  bind("10.77.0.125", key);
  in.message.message_type = dhcp_message_type::decline;
  auto o = handle(in);
  EXPECT_EQ(o.event, dhcp_event::declined);
  EXPECT_FALSE(o.reply);
  EXPECT_TRUE(o.durable);
  EXPECT_EQ(o.change->expires, now + 600);
  apply(o);
  settings.subnets[0].pools = {{ip("10.77.0.125"), ip("10.77.0.125")}};
  EXPECT_EQ(handle(inbound(udhcpc_discover)).event, dhcp_event::pool_exhausted);
  EXPECT_EQ(server().handle(inbound(udhcpc_discover), table, now + 601).event, dhcp_event::offered);
}

TEST_F(DhcpServer, a_release_frees_the_lease_only_for_its_holder) {
  auto in = inbound(dhclient_request);
  in.message.message_type = dhcp_message_type::release;
  in.message.client_address = ip("10.77.0.125");
  in.message.requested_address.reset();
  EXPECT_EQ(handle(in).event, dhcp_event::not_its_lease);
  bind("10.77.0.125", client_key_of(in.message));
  auto o = handle(in);
  EXPECT_EQ(o.event, dhcp_event::released);
  EXPECT_TRUE(o.durable);
  EXPECT_EQ(o.change->state, lease_state::released);
}

TEST_F(DhcpServer, answers_dhcpcd_inform_with_configuration_and_no_lease) {
  auto o = handle(inbound(dhcpcd_inform));
  EXPECT_EQ(o.event, dhcp_event::informed);
  EXPECT_EQ(o.reply->message_type, dhcp_message_type::ack);
  EXPECT_EQ(o.reply->client_address, ip("10.77.0.142"));
  EXPECT_TRUE(o.reply->your_address.is_unspecified());
  EXPECT_FALSE(o.reply->lease_time);
  EXPECT_FALSE(o.change);
  EXPECT_EQ(test_options::decided(o, "routers"), "10.77.0.1");
}

TEST_F(DhcpServer, serves_a_relayed_discover_from_the_relays_subnet_and_echoes_option_82) {
  dhcp_subnet remote = settings.subnets[0];
  remote.network = *ipv4_interface::from_string("10.88.0.0/24");
  remote.pools = {{ip("10.88.0.10"), ip("10.88.0.20")}};
  settings.subnets.push_back(remote);
  auto in = inbound(perfdhcp_discover); // giaddr 10.77.0.1
  in.message.relay_address = ip("10.88.0.1");
  const std::uint8_t agent_info[] = {1, 4, 'p', 'o', 'r', 't'};
  in.message.relay_agent_information.assign(byte_view{agent_info});
  auto o = handle(in);
  EXPECT_EQ(o.reply->your_address, ip("10.88.0.10"));
  EXPECT_EQ(o.reply->relay_address, ip("10.88.0.1"));
  EXPECT_EQ(o.reply->relay_agent_information, in.message.relay_agent_information);
  in.message.relay_address = ip("192.168.9.1");
  EXPECT_EQ(handle(in).event, dhcp_event::no_subnet);
}

TEST_F(DhcpServer, sends_a_raw_option_only_to_clients_that_ask_for_it) {
  settings.subnets[0].options.push_back({119, {3, 'l', 'a', 'b', 0}}); // domain search
  auto dhcpcd = handle(inbound(dhcpcd_discover)); // its PRL has 119
  auto codes = test_options::codes(dhcpcd);
  EXPECT_NE(std::find(codes.begin(), codes.end(), 119), codes.end());
  EXPECT_EQ(dhcpcd.finished_reply().extra_options.size(), codes.size());
  auto dhclient = test_options::codes(handle(inbound(dhclient_discover)));
  EXPECT_EQ(std::find(dhclient.begin(), dhclient.end(), 119), dhclient.end());
}

TEST_F(DhcpServer, ignores_server_messages) {
  EXPECT_EQ(handle(inbound(dnsmasq_offer_to_dhclient)).event, dhcp_event::not_a_client_message);
}

// Hardening: clients that attack (issue 9, findings 8 and 9).

TEST_F(DhcpServer, a_decline_right_after_an_offer_burns_nothing) {
  auto discover = inbound(dhclient_discover);
  auto offer = handle(discover);
  apply(offer);
  auto decline = inbound(dhclient_request);
  decline.message.message_type = dhcp_message_type::decline;
  decline.message.requested_address = offer.reply->your_address;
  auto o = handle(decline);
  EXPECT_EQ(o.event, dhcp_event::not_its_lease);
  EXPECT_FALSE(o.change);
}

TEST_F(DhcpServer, only_the_client_bound_by_an_ack_may_decline_an_address) {
  auto decline = inbound(dhclient_request);
  decline.message.message_type = dhcp_message_type::decline;
  auto holder = client_key_of(decline.message);
  bind("10.77.0.125", client_key_of(mac("02:00:00:00:00:42"))); // someone else's
  decline.message.requested_address = ip("10.77.0.125");
  EXPECT_EQ(handle(decline).event, dhcp_event::not_its_lease);
  bind("10.77.0.125", holder, now - 1); // its own, but expired
  EXPECT_EQ(handle(decline).event, dhcp_event::not_its_lease);
  bind("10.77.0.125", holder);
  EXPECT_EQ(handle(decline).event, dhcp_event::declined);
}

TEST_F(DhcpServer, a_discover_flood_cannot_hold_the_pool_against_a_real_client) {
  settings.subnets[0].pools = {{ip("10.77.0.100"), ip("10.77.0.103")}};
  // Four DISCOVERs from random MACs, a second apart, hold every address.
  for (std::uint8_t i = 0; i < 4; ++i) {
    auto flood = inbound(udhcpc_discover);
    flood.message.client_hardware = mac_address{{0x02, 0xf1, 0, 0, 0, i}};
    flood.message.client_identifier.size = 0;
    auto o = server().handle(flood, table, now + i);
    ASSERT_EQ(o.event, dhcp_event::offered);
    apply(o);
  }
  // A real client is offered the address of the oldest offer...
  auto offer = server().handle(inbound(dhclient_discover), table, now + 5);
  ASSERT_EQ(offer.event, dhcp_event::offered);
  EXPECT_EQ(offer.reply->your_address, ip("10.77.0.100"));
  apply(offer);
  // ...and even when the flood took its offer over again, its REQUEST wins
  // over an address that is merely offered.
  auto flood = inbound(udhcpc_discover);
  flood.message.client_hardware = mac_address{{0x02, 0xf1, 0, 0, 1, 0}};
  flood.message.client_identifier.size = 0;
  for (int i = 0; i < 4; ++i) apply(server().handle(flood, table, now + 6)), ++flood.message.client_hardware.octets[5];
  auto request = inbound(dhclient_request);
  request.message.requested_address = ip("10.77.0.100");
  request.message.server_identifier = ip("10.77.0.3");
  auto ack = server().handle(request, table, now + 7);
  EXPECT_EQ(ack.event, dhcp_event::acked);
  EXPECT_EQ(ack.reply->your_address, ip("10.77.0.100"));
}

TEST_F(DhcpServer, a_bound_lease_is_never_taken_over_by_a_discover) {
  settings.subnets[0].pools = {{ip("10.77.0.100"), ip("10.77.0.100")}};
  bind("10.77.0.100", client_key_of(mac("02:00:00:00:00:01")));
  EXPECT_EQ(handle(inbound(dhclient_discover)).event, dhcp_event::pool_exhausted);
}

// §4.3.3: the decliner found its address in use; neither it nor anyone else
// gets it while the hold lasts, by DISCOVER or by REQUEST.
TEST_F(DhcpServer, a_client_that_declined_an_address_is_not_given_it_again_during_the_hold) {
  auto in = inbound(dhclient_request);
  auto key = client_key_of(in.message);
  bind("10.77.0.125", key);
  in.message.message_type = dhcp_message_type::decline;
  apply(handle(in));
  auto discover = inbound(dhclient_discover);
  auto offer = handle(discover);
  ASSERT_EQ(offer.event, dhcp_event::offered);
  EXPECT_NE(offer.reply->your_address, ip("10.77.0.125"));
  auto request = inbound(dhclient_request); // SELECTING, asks for 10.77.0.125
  ASSERT_EQ(request.message.requested_address, ip("10.77.0.125"));
  EXPECT_EQ(handle(request).event, dhcp_event::nak_sent);
}

// RFC 6842: a client identifier (option 61) comes back in OFFER, ACK and NAK.
TEST_F(DhcpServer, echoes_the_client_identifier_in_offer_ack_and_nak) {
  auto discover = inbound(dhclient_discover);
  const std::uint8_t id[] = {0xff, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01};
  discover.message.client_identifier.assign(byte_view{id});
  auto offer = handle(discover);
  ASSERT_TRUE(offer.reply);
  EXPECT_EQ(std::vector<std::uint8_t>(offer.reply->client_identifier.view().begin(),
                                      offer.reply->client_identifier.view().end()),
            std::vector<std::uint8_t>(std::begin(id), std::end(id)));
  auto request = inbound(dhclient_request);
  request.message.client_identifier.assign(byte_view{id});
  auto ack = handle(request);
  ASSERT_EQ(ack.reply->message_type, dhcp_message_type::ack);
  EXPECT_EQ(ack.reply->client_identifier.view().size(), sizeof id);
  bind("10.77.0.125", client_key_of(inbound(udhcpc_discover).message)); // someone else's now
  auto nak = handle(request);
  ASSERT_EQ(nak.reply->message_type, dhcp_message_type::nak);
  EXPECT_EQ(nak.reply->client_identifier.view().size(), sizeof id);
}

// §4.3.2: a NAK through a relay has the broadcast bit set.
TEST_F(DhcpServer, a_relayed_nak_has_the_broadcast_bit) {
  auto request = inbound(dhclient_request);
  request.message.relay_address = ip("10.77.0.1");
  request.message.requested_address = ip("10.77.0.250"); // outside every pool
  auto nak = handle(request);
  ASSERT_EQ(nak.reply->message_type, dhcp_message_type::nak);
  EXPECT_TRUE(nak.reply->broadcast_flag);
}

// RFC 2131 §4.3.1: the options a client asked for, in the order it asked
// (dhcpcd asks 1, 121, 3, 6, 12, 15, 26, 28, …): a reply too large then
// keeps what the client named first.
TEST_F(DhcpServer, sends_options_in_the_order_the_client_asked_for_them) {
  settings.subnets[0].options.push_back(
    test_options::named("classless_static_route", {"198.51.100.0/24 via 10.77.0.254"}));
  auto o = handle(inbound(dhcpcd_discover));
  EXPECT_EQ(test_options::codes(o), (std::vector<int>{121, 3, 6, 15, 28}));
}

namespace {

// A PXE ROM's DISCOVER (vendor class, architecture, asking for 66 and 67),
// made from dhclient's.
dhcp_inbound pxe_discover(std::uint16_t architecture, std::string_view user_class = {}) {
  auto in = inbound(dhclient_discover);
  in.message.vendor_class.assign(std::string_view{"PXEClient:Arch:00007:UNDI:003016"});
  std::array<std::uint8_t, 2> arch{static_cast<std::uint8_t>(architecture >> 8), static_cast<std::uint8_t>(architecture)};
  in.message.client_system.assign(byte_view{arch});
  if (!user_class.empty()) in.message.user_class.assign(user_class);
  std::array<std::uint8_t, 6> prl{1, 3, 43, 60, 66, 67};
  in.message.parameter_request_list.assign(byte_view{prl});
  return in;
}

} // namespace

TEST_F(DhcpServer, boots_pxe_and_ipxe_clients_by_class_with_the_first_matching_class_winning) {
  settings.subnets[0].boot.next_server = ip("10.77.0.5");
  settings.subnets[0].boot.boot_file = "undionly.kpxe";
  client_class ipxe;
  ipxe.name = "ipxe";
  ipxe.user_class = "iPXE";
  ipxe.boot.boot_file = "http://10.77.0.5/boot.ipxe";
  client_class efi;
  efi.name = "pxe-efi64";
  efi.vendor_class_prefix = "PXEClient";
  efi.architectures = {7, 9};
  efi.boot.boot_file = "ipxe.efi";
  efi.boot.server_name = "tftp.lab";
  efi.options.push_back(test_options::named("vendor_class_identifier", {"PXEClient"}));
  settings.classes = {ipxe, efi};

  auto o = handle(pxe_discover(7));
  ASSERT_TRUE(o.reply);
  EXPECT_EQ(o.reply->server_address, ip("10.77.0.5")) << "siaddr: the subnet's next server";
  EXPECT_EQ(o.reply->boot_file.text(), "ipxe.efi");
  EXPECT_EQ(o.reply->server_name.text(), "tftp.lab");
  EXPECT_EQ(test_options::decided(o, "boot_file_name"), "ipxe.efi") << "option 67, asked for";
  EXPECT_EQ(test_options::decided(o, "tftp_server_name"), "tftp.lab");
  EXPECT_EQ(test_options::decided(o, "vendor_class_identifier"), "PXEClient");

  auto bios = handle(pxe_discover(0));
  EXPECT_EQ(bios.reply->boot_file.text(), "undionly.kpxe") << "no class for BIOS: the subnet's";
  EXPECT_EQ(test_options::decided(bios, "vendor_class_identifier"), std::nullopt);

  // iPXE says PXEClient too; the ipxe class comes first and wins the file.
  auto chained = handle(pxe_discover(7, "iPXE"));
  EXPECT_EQ(chained.reply->boot_file.text(), "http://10.77.0.5/boot.ipxe");
  EXPECT_EQ(chained.reply->server_name.text(), "tftp.lab") << "a field the first class leaves unset";

  auto plain = handle(inbound(dhclient_discover));
  EXPECT_EQ(plain.reply->boot_file.text(), "undionly.kpxe");
  EXPECT_EQ(test_options::decided(plain, "boot_file_name"), std::nullopt) << "dhclient did not ask for 67";
}
