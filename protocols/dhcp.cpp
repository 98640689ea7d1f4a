#include "protocols/dhcp.hpp"

#include <algorithm>

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

// A header field of text ('sname', 'file'): up to its first NUL.
template <std::size_t N> void read_text_field(byte_view field, bounded_bytes<N>& into) {
  auto end = std::find(field.begin(), field.end(), std::uint8_t{0});
  into.assign(field.first(std::min<std::size_t>(N, static_cast<std::size_t>(end - field.begin()))));
}

// The options of one message in the order they are written, each no longer
// than 255 bytes (RFC 3396 splits longer values into consecutive options).
// Fixed capacity: emitting never allocates.
class option_list {
public:
  void add(std::uint8_t c, byte_view value) {
    do {
      auto part = value.first(std::min<std::size_t>(value.size(), 255));
      if (n_ < items_.size()) items_[n_++] = {c, part};
      value = value.subspan(part.size());
    } while (!value.empty());
  }
  template <std::size_t N> void add(std::uint8_t c, const bounded_bytes<N>& b) {
    if (!b.empty()) add(c, b.view());
  }
  void add(std::uint8_t c, const std::optional<ipv4_address>& a) {
    if (a) a->write(word(), 0), add(c, last_word(4));
  }
  void add(std::uint8_t c, const std::optional<std::uint32_t>& v) {
    if (v) write_be32(word(), 0, *v), add(c, last_word(4));
  }
  void add(std::uint8_t c, const std::optional<std::uint16_t>& v) {
    if (v) write_be16(word(), 0, *v), add(c, last_word(2));
  }
  void add_byte(std::uint8_t c, std::uint8_t v) { word()[0] = v, add(c, last_word(1)); }
  std::span<const dhcp_option> items() const { return {items_.data(), n_}; }
  std::size_t wire_len() const {
    std::size_t len = 0;
    for (const auto& o : items()) len += 2 + o.value.size();
    return len;
  }

private:
  byte_buffer word() { return words_[words_used_]; }
  byte_view last_word(std::size_t len) { return byte_view(words_[words_used_++]).first(len); }

  std::array<dhcp_option, 192> items_{};
  std::size_t n_ = 0;
  std::array<std::array<std::uint8_t, 4>, 8> words_{};
  std::size_t words_used_ = 0;
};

// Options in the order servers conventionally send them: message type first,
// server identifier next; relay agent information apart, as it goes last in
// the options field (RFC 3046 §2.1).
void gather(const dhcp_repr& r, option_list& main, option_list& relay) {
  main.add_byte(code::message_type, static_cast<std::uint8_t>(r.message_type));
  main.add(code::server_identifier, r.server_identifier);
  main.add(code::lease_time, r.lease_time);
  main.add(code::renewal_time, r.renewal_time);
  main.add(code::rebinding_time, r.rebinding_time);
  main.add(code::subnet_mask, r.subnet_mask);
  for (const auto& o : r.extra_options) main.add(o.code, o.value);
  main.add(code::host_name, r.host_name);
  main.add(code::requested_address, r.requested_address);
  main.add(code::parameter_request_list, r.parameter_request_list);
  main.add(code::max_message_size, r.max_message_size);
  main.add(code::vendor_class, r.vendor_class);
  main.add(code::user_class, r.user_class);
  main.add(code::client_system, r.client_system);
  main.add(code::client_identifier, r.client_identifier);
  main.add(code::message, r.message);
  relay.add(code::relay_agent_information, r.relay_agent_information);
}

// Writes into one option area; with an empty buffer it only counts.
class area_writer {
public:
  area_writer(byte_buffer out, std::size_t at) : out_(out), at_(at) {}
  void put(const dhcp_option& o) {
    byte(o.code);
    byte(static_cast<std::uint8_t>(o.value.size()));
    for (auto b : o.value) byte(b);
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

// Lays the options out within `max_len` bytes of message and writes them
// (or, with an empty `out`, only counts). Returns the message length, 0 when
// the options cannot fit.
std::size_t write_options(const dhcp_repr& r, byte_buffer out, std::size_t max_len) {
  option_list main, relay;
  gather(r, main, relay);
  constexpr std::size_t end_len = 1, overload_len = 3;
  std::size_t room = max_len > dhcp_packet::options_at + end_len ? max_len - dhcp_packet::options_at - end_len : 0;
  auto finish = [&](area_writer& w) {
    for (const auto& o : relay.items()) w.put(o);
    w.byte(code::end);
    while (w.at() < std::min(bootp_min_len, max_len)) w.byte(code::pad);
    return w.at();
  };
  if (main.wire_len() + relay.wire_len() <= room) {
    area_writer w{out, dhcp_packet::options_at};
    for (const auto& o : main.items()) w.put(o);
    return finish(w);
  }
  // Option overload: 'file' then 'sname', each ended by an end option, when
  // they carry no names of their own.
  if (!r.server_name.empty() || !r.boot_file.empty() || room < relay.wire_len() + overload_len) return 0;
  std::array<std::size_t, 3> capacity{room - relay.wire_len() - overload_len, dhcp_packet::file_len - end_len,
                                       dhcp_packet::sname_len - end_len};
  std::array<std::size_t, 3> used{};
  std::array<std::uint8_t, 192> area_of{};
  std::size_t area = 0, i = 0;
  for (const auto& o : main.items()) {
    while (area < 3 && used[area] + 2 + o.value.size() > capacity[area]) ++area;
    if (area == 3) return 0;
    used[area] += 2 + o.value.size();
    area_of[i++] = static_cast<std::uint8_t>(area);
  }
  std::array<std::uint8_t, 1> which{static_cast<std::uint8_t>((used[1] ? 1 : 0) | (used[2] ? 2 : 0))}; // lives until written
  std::array<area_writer, 3> writers{area_writer{out, dhcp_packet::options_at},
                                     area_writer{out, dhcp_packet::file_at}, area_writer{out, dhcp_packet::sname_at}};
  writers[0].put({code::overload, byte_view{which}});
  i = 0;
  for (const auto& o : main.items()) writers[area_of[i++]].put(o);
  for (std::size_t a = 1; a < 3; ++a)
    if (used[a]) writers[a].byte(code::end); // the rest of the field stays zero: pad
  return finish(writers[0]);
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
  if (!(areas->overload() & 2)) read_text_field(p.sname(), r.server_name);
  if (!(areas->overload() & 1)) read_text_field(p.file(), r.boot_file);

  option_reader read{*areas};
  r.requested_address = read.address(code::requested_address);
  r.server_identifier = read.address(code::server_identifier);
  r.subnet_mask = read.address(code::subnet_mask);
  r.lease_time = read.u32(code::lease_time);
  r.renewal_time = read.u32(code::renewal_time);
  r.rebinding_time = read.u32(code::rebinding_time);
  r.max_message_size = read.u16(code::max_message_size);
  read.bytes(code::client_identifier, r.client_identifier);
  read.bytes(code::parameter_request_list, r.parameter_request_list);
  read.bytes(code::host_name, r.host_name);
  read.bytes(code::vendor_class, r.vendor_class);
  read.bytes(code::user_class, r.user_class);
  read.bytes(code::client_system, r.client_system);
  read.bytes(code::message, r.message);
  read.bytes(code::relay_agent_information, r.relay_agent_information);
  if (!read.ok) return parse_error::bad_option_length;
  return r;
}

std::size_t dhcp_repr::buffer_len(std::size_t max_len) const { return write_options(*this, {}, max_len); }

std::size_t dhcp_repr::emit(byte_buffer out, std::size_t max_len) const {
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
  std::copy(server_name.view().begin(), server_name.view().end(), out.begin() + dhcp_packet::sname_at);
  std::copy(boot_file.view().begin(), boot_file.view().end(), out.begin() + dhcp_packet::file_at);
  write_be32(out, dhcp_packet::cookie_at, dhcp_packet::magic_cookie);
  return write_options(*this, out, max_len);
}

} // namespace etherbeam::protocols
