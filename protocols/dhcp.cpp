#include "protocols/dhcp.hpp"

namespace etherbeam::protocols {

namespace {

namespace code = dhcp_option_code;

constexpr std::size_t bootp_min_len = 300;

// Reads fixed-size option values; a size other than the RFC's is refused.
struct option_reader {
  const dhcp_option_areas& areas;
  bool ok = true;

  std::optional<ipv4_address> address(std::uint8_t c) {
    auto v = areas.first(c);
    if (!v) return std::nullopt;
    if (v->size() != 4) return fail<ipv4_address>();
    return ipv4_address::read(*v, 0);
  }
  std::optional<std::uint32_t> u32(std::uint8_t c) {
    auto v = areas.first(c);
    if (!v) return std::nullopt;
    if (v->size() != 4) return fail<std::uint32_t>();
    return read_be32(*v, 0);
  }
  std::optional<std::uint16_t> u16(std::uint8_t c) {
    auto v = areas.first(c);
    if (!v) return std::nullopt;
    if (v->size() != 2) return fail<std::uint16_t>();
    return read_be16(*v, 0);
  }
  void addresses(std::uint8_t c, address_list& into) {
    std::array<std::uint8_t, 255 * 3> joined_buffer;
    auto v = areas.joined(c, joined_buffer);
    if (!v) return;
    if (v->empty() || v->size() % 4 != 0) {
      ok = false;
      return;
    }
    for (std::size_t i = 0; i < v->size(); i += 4) into.push_back(ipv4_address::read(*v, i));
  }
  template <std::size_t N>
  void bytes(std::uint8_t c, bounded_bytes<N>& into) {
    std::array<std::uint8_t, 255 * 3> joined_buffer;
    auto v = areas.joined(c, joined_buffer);
    if (v && !into.assign(*v)) ok = false; // joined beyond what the field holds: refused, not cut
  }

  template <class T> std::optional<T> fail() {
    ok = false;
    return std::nullopt;
  }
};

// Writes the options of a message; with an empty buffer it only counts.
class option_writer {
public:
  explicit option_writer(byte_buffer out, std::size_t at) : out_(out), at_(at) {}

  void put(std::uint8_t c, byte_view value) {
    // RFC 3396: a value longer than 255 bytes goes out as consecutive options.
    do {
      auto part = value.first(std::min<std::size_t>(value.size(), 255));
      byte(c);
      byte(static_cast<std::uint8_t>(part.size()));
      for (auto b : part) byte(b);
      value = value.subspan(part.size());
    } while (!value.empty());
  }
  void put(std::uint8_t c, const std::optional<ipv4_address>& a) {
    if (!a) return;
    std::array<std::uint8_t, 4> v;
    a->write(v, 0);
    put(c, v);
  }
  void put(std::uint8_t c, const std::optional<std::uint32_t>& n) {
    if (!n) return;
    std::array<std::uint8_t, 4> v;
    write_be32(v, 0, *n);
    put(c, v);
  }
  void put(std::uint8_t c, const std::optional<std::uint16_t>& n) {
    if (!n) return;
    std::array<std::uint8_t, 2> v;
    write_be16(v, 0, *n);
    put(c, v);
  }
  void put(std::uint8_t c, const address_list& list) {
    if (list.empty()) return;
    std::array<std::uint8_t, 4 * address_list::capacity> v;
    for (std::size_t i = 0; i < list.size; ++i) list.items[i].write(v, 4 * i);
    put(c, byte_view{v}.first(4 * list.size));
  }
  template <std::size_t N>
  void put(std::uint8_t c, const bounded_bytes<N>& b) {
    if (!b.empty()) put(c, b.view());
  }
  void byte(std::uint8_t b) {
    if (!out_.empty()) out_[at_] = b;
    ++at_;
  }
  std::size_t at() const { return at_; }

private:
  byte_buffer out_;
  std::size_t at_;
};

std::size_t write_options(const dhcp_repr& r, byte_buffer out) {
  option_writer w{out, dhcp_packet::options_at};
  std::array<std::uint8_t, 1> type{static_cast<std::uint8_t>(r.message_type)};
  // Message type first and server identifier next, as servers conventionally
  // send them; relay agent information last (RFC 3046 §2.1).
  w.put(code::message_type, type);
  w.put(code::server_identifier, r.server_identifier);
  w.put(code::lease_time, r.lease_time);
  w.put(code::renewal_time, r.renewal_time);
  w.put(code::rebinding_time, r.rebinding_time);
  w.put(code::subnet_mask, r.subnet_mask);
  w.put(code::broadcast_address, r.broadcast_address);
  w.put(code::router, r.routers);
  w.put(code::dns_servers, r.dns_servers);
  w.put(code::domain_name, r.domain_name);
  w.put(code::host_name, r.host_name);
  w.put(code::ntp_servers, r.ntp_servers);
  w.put(code::requested_address, r.requested_address);
  w.put(code::parameter_request_list, r.parameter_request_list);
  w.put(code::max_message_size, r.max_message_size);
  w.put(code::vendor_class, r.vendor_class);
  w.put(code::client_identifier, r.client_identifier);
  w.put(code::message, r.message);
  for (const auto& o : r.extra_options) w.put(o.code, o.value);
  w.put(code::relay_agent_information, r.relay_agent_information);
  w.byte(code::end);
  while (w.at() < bootp_min_len) w.byte(code::pad);
  return w.at();
}

} // namespace

std::string_view to_string(dhcp_message_type t) {
  switch (t) {
    case dhcp_message_type::discover: return "discover";
    case dhcp_message_type::offer: return "offer";
    case dhcp_message_type::request: return "request";
    case dhcp_message_type::decline: return "decline";
    case dhcp_message_type::ack: return "ack";
    case dhcp_message_type::nak: return "nak";
    case dhcp_message_type::release: return "release";
    case dhcp_message_type::inform: return "inform";
  }
  return "unknown";
}

parsed<dhcp_packet> dhcp_packet::check(byte_view udp_payload) {
  if (udp_payload.size() < options_at) return parse_error::truncated;
  std::uint8_t op = udp_payload[0];
  if (op != 1 && op != 2) return parse_error::bad_operation;
  if (udp_payload[1] != 1 || udp_payload[2] != 6) return parse_error::unsupported_hardware;
  if (read_be32(udp_payload, cookie_at) != magic_cookie) return parse_error::bad_magic_cookie;
  return dhcp_packet{udp_payload};
}

parsed<dhcp_repr> dhcp_repr::parse(const dhcp_packet& p) {
  auto areas = dhcp_option_areas::check(p.options(), p.file(), p.sname());
  if (!areas) return areas.error();
  auto type = areas->first(code::message_type);
  if (!type) return parse_error::not_dhcp;
  if (type->size() != 1 || (*type)[0] < 1 || (*type)[0] > 8) return parse_error::bad_message_type;

  dhcp_repr r;
  r.op = static_cast<bootp_op>(p.op());
  r.message_type = static_cast<dhcp_message_type>((*type)[0]);
  r.hops = p.hops();
  r.transaction_id = p.transaction_id();
  r.seconds = p.seconds();
  r.broadcast_flag = p.broadcast_flag();
  r.client_address = p.client_address();
  r.your_address = p.your_address();
  r.server_address = p.server_address();
  r.relay_address = p.relay_address();
  r.client_hardware = p.client_hardware();

  option_reader read{*areas};
  r.requested_address = read.address(code::requested_address);
  r.server_identifier = read.address(code::server_identifier);
  r.subnet_mask = read.address(code::subnet_mask);
  r.broadcast_address = read.address(code::broadcast_address);
  r.lease_time = read.u32(code::lease_time);
  r.renewal_time = read.u32(code::renewal_time);
  r.rebinding_time = read.u32(code::rebinding_time);
  r.max_message_size = read.u16(code::max_message_size);
  read.addresses(code::router, r.routers);
  read.addresses(code::dns_servers, r.dns_servers);
  read.addresses(code::ntp_servers, r.ntp_servers);
  read.bytes(code::client_identifier, r.client_identifier);
  read.bytes(code::parameter_request_list, r.parameter_request_list);
  read.bytes(code::host_name, r.host_name);
  read.bytes(code::domain_name, r.domain_name);
  read.bytes(code::vendor_class, r.vendor_class);
  read.bytes(code::message, r.message);
  read.bytes(code::relay_agent_information, r.relay_agent_information);
  if (!read.ok) return parse_error::bad_option_length;
  return r;
}

std::size_t dhcp_repr::buffer_len() const { return write_options(*this, {}); }

void dhcp_repr::emit(byte_buffer out) const {
  std::fill(out.begin(), out.begin() + dhcp_packet::options_at, std::uint8_t{0});
  out[0] = static_cast<std::uint8_t>(op);
  out[1] = 1; // Ethernet
  out[2] = 6;
  out[3] = hops;
  write_be32(out, 4, transaction_id);
  write_be16(out, 8, seconds);
  write_be16(out, 10, broadcast_flag ? 0x8000 : 0);
  client_address.write(out, 12);
  your_address.write(out, 16);
  server_address.write(out, 20);
  relay_address.write(out, 24);
  client_hardware.write(out, 28);
  write_be32(out, dhcp_packet::cookie_at, dhcp_packet::magic_cookie);
  write_options(*this, out);
}

} // namespace etherbeam::protocols
