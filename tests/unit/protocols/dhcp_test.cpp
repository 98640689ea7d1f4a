#include "protocols/dhcp.hpp"
#include "protocols/dhcp_option_defs.hpp"

#include <gtest/gtest.h>

#include <span>
#include <string>
#include <vector>

#include "tests/unit/frame_bytes.hpp"

using namespace etherbeam::protocols;
using namespace etherbeam::test_frames;

namespace {

// Ethernet + IPv4 without options + UDP: where the DHCP message starts.
constexpr std::size_t dhcp_at = 42;

byte_view dhcp_of(byte_view frame) { return frame.subspan(dhcp_at); }

dhcp_repr parse_ok(byte_view frame) {
  auto p = dhcp_packet::check(dhcp_of(frame));
  EXPECT_TRUE(p) << to_string(p.error());
  auto r = dhcp_repr::parse(*p);
  EXPECT_TRUE(r) << to_string(r.error());
  return r ? *r : dhcp_repr{};
}

parse_error parse_fails(byte_view message) {
  auto p = dhcp_packet::check(message);
  if (!p) return p.error();
  auto r = dhcp_repr::parse(*p);
  EXPECT_FALSE(r);
  return r.error();
}

std::string addr(ipv4_address a) { return a.to_string(); }

// An option of a captured message as the option table decodes it.
std::string option_text(byte_view frame, std::string_view name) {
  auto p = dhcp_packet::check(dhcp_of(frame));
  auto areas = dhcp_option_areas::check(p->options(), p->file(), p->sname());
  const auto* def = find_dhcp_option(name);
  std::array<std::uint8_t, 255 * 3> joined;
  auto value = areas->joined(def->code, joined);
  if (!value) return "(absent)";
  return decode_dhcp_option(*def, *value).value_or("(not its type)");
}

// A minimal DISCOVER whose option area the test writes itself.
std::vector<std::uint8_t> discover_with_options(std::vector<std::uint8_t> options) {
  std::vector<std::uint8_t> m(dhcp_packet::options_at, 0);
  m[0] = 1, m[1] = 1, m[2] = 6;
  m[236] = 99, m[237] = 130, m[238] = 83, m[239] = 99;
  m.resize(dhcp_packet::options_at + options.size());
  std::copy(options.begin(), options.end(), m.begin() + dhcp_packet::options_at);
  return m;
}

} // namespace

TEST(dhcp, parses_a_dhclient_discover) {
  auto r = parse_ok(dhclient_discover);
  EXPECT_EQ(r.op, bootp_op::request);
  EXPECT_EQ(r.message_type, dhcp_message_type::discover);
  EXPECT_EQ(r.transaction_id, 0xa313ba5bu);
  EXPECT_FALSE(r.broadcast_flag);
  EXPECT_EQ(r.client_hardware.to_string(), "ee:08:ef:89:57:0c");
  EXPECT_EQ(r.host_name.text(), "dhclient-host");
  EXPECT_EQ(r.parameter_request_list.view().size(), 7u);
  EXPECT_EQ(r.parameter_request_list.data[0], dhcp_option_code::subnet_mask);
  EXPECT_TRUE(r.client_identifier.empty());
  EXPECT_FALSE(r.requested_address);
}

TEST(dhcp, parses_a_dhclient_request_in_selecting_state) {
  auto r = parse_ok(dhclient_request);
  EXPECT_EQ(r.message_type, dhcp_message_type::request);
  EXPECT_EQ(addr(*r.server_identifier), "10.77.0.3");
  EXPECT_EQ(addr(*r.requested_address), "10.77.0.125");
  EXPECT_TRUE(r.client_address.is_unspecified());
}

TEST(dhcp, parses_a_dnsmasq_ack_with_every_server_option) {
  auto r = parse_ok(dnsmasq_ack_to_dhclient);
  EXPECT_EQ(r.op, bootp_op::reply);
  EXPECT_EQ(r.message_type, dhcp_message_type::ack);
  EXPECT_EQ(addr(r.your_address), "10.77.0.125");
  EXPECT_EQ(addr(*r.server_identifier), "10.77.0.3");
  EXPECT_EQ(*r.lease_time, 3600u);
  EXPECT_EQ(*r.renewal_time, 1800u);
  EXPECT_EQ(*r.rebinding_time, 3150u);
  EXPECT_EQ(addr(*r.subnet_mask), "255.255.255.0");
  byte_view ack{dnsmasq_ack_to_dhclient};
  EXPECT_EQ(option_text(ack, "broadcast_address"), "10.77.0.255");
  EXPECT_EQ(option_text(ack, "domain_name"), "lab.example");
  EXPECT_EQ(option_text(ack, "dns_servers"), "10.77.0.53");
  EXPECT_EQ(option_text(ack, "routers"), "10.77.0.1");
}

TEST(dhcp, parses_udhcpc_client_identifier_vendor_class_and_max_size) {
  auto r = parse_ok(udhcpc_discover);
  EXPECT_EQ(*r.max_message_size, 576);
  EXPECT_EQ(r.vendor_class.text(), "udhcp 1.35.0");
  ASSERT_EQ(r.client_identifier.size, 7u);
  EXPECT_EQ(r.client_identifier.data[0], 1); // hardware type Ethernet, then the MAC
  EXPECT_EQ(r.host_name.text(), "udhcpc-host");
  auto req = parse_ok(udhcpc_request);
  EXPECT_EQ(addr(*req.requested_address), "10.77.0.177");
}

TEST(dhcp, parses_dhcpcd_messages_with_unknown_and_empty_options) {
  // dhcpcd sends option 80 with length 0 and options 116, 145 we do not know.
  auto r = parse_ok(dhcpcd_discover);
  EXPECT_EQ(r.client_identifier.size, 19u);
  EXPECT_EQ(r.client_identifier.data[0], 255); // RFC 4361 IAID + DUID
  EXPECT_EQ(*r.max_message_size, 1472);
  EXPECT_EQ(r.parameter_request_list.size, 14u);
  auto req = parse_ok(dhcpcd_request); // message type is not the first option here
  EXPECT_EQ(req.message_type, dhcp_message_type::request);
  EXPECT_EQ(addr(*req.requested_address), "10.77.0.142");
}

TEST(dhcp, parses_a_dhcpcd_inform_and_its_ack) {
  auto r = parse_ok(dhcpcd_inform);
  EXPECT_EQ(r.message_type, dhcp_message_type::inform);
  EXPECT_EQ(addr(r.client_address), "10.77.0.142");
  auto ack = parse_ok(dnsmasq_ack_to_dhcpcd_inform);
  EXPECT_EQ(ack.message_type, dhcp_message_type::ack);
  // dnsmasq reports what is left of the lease this client holds; RFC 2131 §3.4
  // says an ACK to INFORM carries no lease time, which etherbeam follows.
  EXPECT_EQ(*ack.lease_time, 3593u);
  EXPECT_TRUE(ack.your_address.is_unspecified());
}

TEST(dhcp, parses_perfdhcp_relayed_messages) {
  auto r = parse_ok(perfdhcp_discover);
  EXPECT_EQ(r.hops, 1);
  EXPECT_EQ(addr(r.relay_address), "10.77.0.1");
  EXPECT_EQ(r.client_hardware.to_string(), "00:0c:01:02:03:04");
  auto req = parse_ok(perfdhcp_request);
  EXPECT_EQ(addr(*req.requested_address), "10.77.0.190");
}

TEST(dhcp, emitting_a_parsed_message_gives_back_the_same_repr) {
  for (byte_view frame : {byte_view{dnsmasq_ack_to_dhclient}, byte_view{udhcpc_request},
                          byte_view{dnsmasq_offer_to_perfdhcp}, byte_view{dhcpcd_inform}}) {
    auto original = parse_ok(frame);
    std::vector<std::uint8_t> out(original.buffer_len());
    original.emit(out);
    auto again = dhcp_repr::parse(*dhcp_packet::check(out));
    ASSERT_TRUE(again) << to_string(again.error());
    EXPECT_EQ(again->transaction_id, original.transaction_id);
    EXPECT_EQ(again->message_type, original.message_type);
    EXPECT_EQ(again->your_address, original.your_address);
    EXPECT_EQ(again->relay_address, original.relay_address);
    EXPECT_EQ(again->client_hardware, original.client_hardware);
    EXPECT_EQ(again->server_identifier, original.server_identifier);
    EXPECT_EQ(again->lease_time, original.lease_time);
    EXPECT_EQ(again->client_identifier, original.client_identifier);
    EXPECT_EQ(again->parameter_request_list, original.parameter_request_list);
  }
}

TEST(dhcp, emits_an_offer_byte_for_byte_like_dnsmasq_in_the_fixed_header) {
  // Options the repr does not hold (routers, DNS…) are not emitted again;
  // the BOOTP header must be dnsmasq's.
  auto offer = parse_ok(dnsmasq_offer_to_dhclient);
  std::vector<std::uint8_t> out(offer.buffer_len());
  offer.emit(out);
  auto original = dhcp_of(dnsmasq_offer_to_dhclient);
  // dnsmasq puts its own name in sname; everything before sname matches.
  EXPECT_TRUE(std::equal(out.begin(), out.begin() + dhcp_packet::sname_at, original.begin()));
  EXPECT_EQ(out[dhcp_packet::options_at], dhcp_option_code::message_type);
}

TEST(dhcp, pads_a_short_message_to_the_bootp_minimum) {
  dhcp_repr r;
  r.message_type = dhcp_message_type::nak;
  EXPECT_EQ(r.buffer_len(), 300u);
}

TEST(dhcp, splits_an_option_longer_than_255_bytes_and_joins_it_back) {
  std::vector<std::uint8_t> long_value(300, 'x');
  dhcp_option extra[] = {{dhcp_option_code::host_name, long_value}};
  dhcp_repr r;
  r.message_type = dhcp_message_type::offer;
  r.extra_options = extra;
  std::vector<std::uint8_t> out(r.buffer_len());
  r.emit(out);
  auto areas = dhcp_option_areas::check(dhcp_packet::check(out)->options(), {}, {});
  ASSERT_TRUE(areas);
  int instances = 0;
  areas->for_each([&](const dhcp_option& o) { instances += o.code == dhcp_option_code::host_name; });
  EXPECT_EQ(instances, 2);
  std::array<std::uint8_t, 512> joined;
  EXPECT_EQ(areas->joined(dhcp_option_code::host_name, joined)->size(), 300u);
  // A joined value beyond 255 bytes does not fit the repr: refused, not cut.
  EXPECT_EQ(parse_fails(out), parse_error::bad_option_length);
}

TEST(dhcp, follows_option_overload_into_file_and_sname) {
  auto m = discover_with_options({53, 1, 1, 52, 1, 3, 255});
  // file carries the host name, sname the requested address (RFC 2131 §4.1 order).
  const std::uint8_t in_file[] = {12, 4, 'f', 'i', 'l', 'e', 255};
  const std::uint8_t in_sname[] = {50, 4, 10, 77, 0, 42, 255};
  std::copy(std::begin(in_file), std::end(in_file), m.begin() + dhcp_packet::file_at);
  std::copy(std::begin(in_sname), std::end(in_sname), m.begin() + dhcp_packet::sname_at);
  auto r = dhcp_repr::parse(*dhcp_packet::check(m));
  ASSERT_TRUE(r) << to_string(r.error());
  EXPECT_EQ(r->host_name.text(), "file");
  EXPECT_EQ(addr(*r->requested_address), "10.77.0.42");
}

TEST(dhcp, ignores_file_and_sname_without_overload) {
  auto m = discover_with_options({53, 1, 1, 255});
  m[dhcp_packet::file_at] = 12; // looks like an option, but file holds a boot file name
  m[dhcp_packet::file_at + 1] = 200;
  auto r = dhcp_repr::parse(*dhcp_packet::check(m));
  ASSERT_TRUE(r);
  EXPECT_TRUE(r->host_name.empty());
}

TEST(dhcp, refuses_malformed_messages_with_the_reason) {
  auto ok = copy_of(dhclient_discover);
  auto message = [&](std::vector<std::uint8_t> frame) {
    return std::vector<std::uint8_t>(frame.begin() + dhcp_at, frame.end());
  };
  auto m = message(ok);
  EXPECT_EQ(parse_fails(byte_view{m}.first(239)), parse_error::truncated);
  auto bad_cookie = m;
  bad_cookie[dhcp_packet::cookie_at + 3] = 0x62;
  EXPECT_EQ(parse_fails(bad_cookie), parse_error::bad_magic_cookie);
  auto bad_op = m;
  bad_op[0] = 3;
  EXPECT_EQ(parse_fails(bad_op), parse_error::bad_operation);
  auto token_ring = m;
  token_ring[1] = 6;
  EXPECT_EQ(parse_fails(token_ring), parse_error::unsupported_hardware);

  EXPECT_EQ(parse_fails(discover_with_options({12, 4, 'a', 'b', 'c', 'd', 255})), parse_error::not_dhcp);
  EXPECT_EQ(parse_fails(discover_with_options({53, 1, 9, 255})), parse_error::bad_message_type);
  EXPECT_EQ(parse_fails(discover_with_options({53, 2, 1, 1, 255})), parse_error::bad_message_type);
  // A length that runs past the end of the message.
  EXPECT_EQ(parse_fails(discover_with_options({53, 1, 1, 12, 40, 'a'})), parse_error::bad_option_length);
  // A code with no room left for its length byte.
  EXPECT_EQ(parse_fails(discover_with_options({53, 1, 1, 12})), parse_error::bad_option_length);
  // Fixed-size options of the wrong size.
  EXPECT_EQ(parse_fails(discover_with_options({53, 1, 1, 51, 2, 0, 1, 255})), parse_error::bad_option_length);
  EXPECT_EQ(parse_fails(discover_with_options({53, 1, 1, 50, 5, 1, 2, 3, 4, 5, 255})),
            parse_error::bad_option_length);
  EXPECT_EQ(parse_fails(discover_with_options({53, 1, 1, 52, 1, 4, 255})), parse_error::bad_overload);
  EXPECT_EQ(parse_fails(discover_with_options({53, 1, 1, 52, 2, 1, 1, 255})), parse_error::bad_overload);
  // Overload into a file area whose option runs off its end.
  auto m2 = discover_with_options({53, 1, 1, 52, 1, 1, 255});
  m2[dhcp_packet::file_at + dhcp_packet::file_len - 2] = 12;
  m2[dhcp_packet::file_at + dhcp_packet::file_len - 1] = 10;
  EXPECT_EQ(parse_fails(m2), parse_error::bad_option_length);
}

TEST(dhcp, accepts_options_that_end_at_the_buffer_without_an_end_option) {
  auto r = dhcp_repr::parse(*dhcp_packet::check(discover_with_options({0, 0, 53, 1, 3, 0})));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->message_type, dhcp_message_type::request);
}

TEST(dhcp, reads_sname_and_file_as_text_unless_they_carry_options) {
  auto m = discover_with_options({53, 1, 1, 255});
  const char name[] = "tftp.lab", boot[] = "pxelinux.0";
  std::copy(name, name + 8, m.begin() + dhcp_packet::sname_at);
  std::copy(boot, boot + 10, m.begin() + dhcp_packet::file_at);
  auto r = dhcp_repr::parse(*dhcp_packet::check(m));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->server_name.text(), "tftp.lab");
  EXPECT_EQ(r->boot_file.text(), "pxelinux.0");
}

// RFC 3396 and RFC 3046: a relay's agent information longer than 255 bytes
// comes split; it is joined on receive and echoed whole, split again.
TEST(dhcp, joins_relay_agent_information_longer_than_255_bytes_and_emits_it_whole) {
  std::vector<std::uint8_t> agent(300);
  for (std::size_t i = 0; i < agent.size(); ++i) agent[i] = static_cast<std::uint8_t>(i);
  dhcp_repr relayed;
  relayed.message_type = dhcp_message_type::discover;
  ASSERT_TRUE(relayed.relay_agent_information.assign(agent));
  std::vector<std::uint8_t> wire(relayed.buffer_len());
  relayed.emit(wire);
  auto back = dhcp_repr::parse(*dhcp_packet::check(wire));
  ASSERT_TRUE(back);
  auto v = back->relay_agent_information.view();
  EXPECT_EQ(std::vector<std::uint8_t>(v.begin(), v.end()), agent);
}

namespace {

// A reply whose options do not all fit the options field of a 548-byte
// message (576 less IP and UDP).
dhcp_repr reply_with_many_options(std::vector<std::uint8_t>& storage, std::vector<dhcp_option>& options) {
  dhcp_repr r;
  r.op = bootp_op::reply;
  r.message_type = dhcp_message_type::ack;
  r.server_identifier = ipv4_address{0x0a4d0003};
  r.lease_time = 3600;
  storage.assign(100, 'v');
  for (std::uint8_t code : {224, 225, 226}) options.push_back({code, storage});
  options.push_back({227, std::span(storage).first(40)}); // fits 'sname' (64 bytes)
  r.extra_options = options;
  return r;
}

std::vector<int> codes_in(const std::vector<std::uint8_t>& message) {
  auto p = dhcp_packet::check(message);
  auto areas = dhcp_option_areas::check(p->options(), p->file(), p->sname());
  std::vector<int> codes;
  areas->for_each([&](const dhcp_option& o) { codes.push_back(o.code); });
  return codes;
}

} // namespace

// RFC 2132 §9.3: options beyond the options field go into 'file' (and 'sname'),
// said by option 52, and a client reads them back in order.
TEST(dhcp, overloads_file_and_sname_when_the_options_field_is_full) {
  std::vector<std::uint8_t> storage;
  std::vector<dhcp_option> options;
  auto r = reply_with_many_options(storage, options);
  EXPECT_GT(r.buffer_len(), 548u) << "too long for a 576-byte datagram without overload";
  auto len = r.buffer_len(548);
  ASSERT_GT(len, 0u);
  EXPECT_LE(len, 548u);
  std::vector<std::uint8_t> out(len);
  EXPECT_EQ(r.emit(out, 548), len);
  EXPECT_EQ(codes_in(out), (std::vector<int>{52, 53, 54, 51, 224, 225, 226, 227}))
    << "the options field (option 52 first), then 'file', then 'sname'";
  EXPECT_EQ(out[dhcp_packet::file_at], 226);
  EXPECT_EQ(out[dhcp_packet::sname_at], 227);
  auto again = dhcp_repr::parse(*dhcp_packet::check(out));
  ASSERT_TRUE(again) << to_string(again.error());
  EXPECT_TRUE(again->boot_file.empty()) << "'file' holds options, not a name";
}

TEST(dhcp, never_overloads_fields_that_carry_netboot_names) {
  std::vector<std::uint8_t> storage;
  std::vector<dhcp_option> options;
  auto r = reply_with_many_options(storage, options);
  r.boot_file.assign(std::string_view{"pxelinux.0"});
  EXPECT_EQ(r.buffer_len(548), 0u);
  r.extra_options = std::span(options).first(2);
  EXPECT_GT(r.buffer_len(548), 0u);
  auto len = r.buffer_len(548);
  ASSERT_GT(len, 0u);
  std::vector<std::uint8_t> out(len);
  r.emit(out, 548);
  EXPECT_EQ(dhcp_repr::parse(*dhcp_packet::check(out))->boot_file.text(), "pxelinux.0");
}
