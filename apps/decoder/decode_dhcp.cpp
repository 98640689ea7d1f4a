// DHCP (RFC 2131, options RFC 2132 and later) for the decoder: the BOOTP
// header, then every option by name from protocols/dhcp_option_defs, its
// value decoded as that table types it.
#include "apps/decoder/frame_decoder.hpp"

#include "protocols/dhcp_option_defs.hpp"
#include "protocols/parse_result.hpp"

namespace etherbeam::apps::decoder::detail {

using namespace protocols;

namespace {

const char* message_type_name(std::uint8_t t) {
  static const char* names[] = {"", "DISCOVER", "OFFER", "REQUEST", "DECLINE", "ACK", "NAK", "RELEASE", "INFORM"};
  return t < 9 ? names[t] : "";
}

// Wireshark's field for an option's value, where it names one.
std::string value_field(std::uint8_t code) {
  switch (code) {
    case 1: return "dhcp.option.subnet_mask";
    case 3: return "dhcp.option.router";
    case 6: return "dhcp.option.domain_name_server";
    case 12: return "dhcp.option.hostname";
    case 15: return "dhcp.option.domain_name";
    case 28: return "dhcp.option.broadcast_address";
    case 50: return "dhcp.option.requested_ip_address";
    case 51: return "dhcp.option.ip_address_lease_time";
    case 53: return "dhcp.option.dhcp";
    case 54: return "dhcp.option.dhcp_server_id";
    case 55: return "dhcp.option.request_list_item";
    case 57: return "dhcp.option.dhcp_max_message_size";
    case 58: return "dhcp.option.renewal_time_value";
    case 59: return "dhcp.option.rebinding_time_value";
    case 60: return "dhcp.option.vendor_class_id";
    default: return "";
  }
}

// The value's parts as Wireshark lists them: one per address of a list, one
// per requested option, else the value whole.
void add_value(field& option, std::uint8_t code, byte_view value, std::size_t at) {
  const auto* def = find_dhcp_option(code);
  auto name = value_field(code);
  if (code == 61 && value.size() == 7 && value[0] == 1) { // hardware type and MAC, RFC 2132 §9.14
    option.children.push_back({"dhcp.hw.type", "Hardware type", hex_value(value[0], 2), "Ethernet", at, 1, {}});
    option.children.push_back({"dhcp.hw.mac_addr", "Client MAC address", mac_address::read(value, 1).to_string(), "",
                               at + 1, 6, {}});
    return;
  }
  if (code == 55) {
    for (std::size_t i = 0; i < value.size(); ++i) {
      const auto* asked = find_dhcp_option(value[i]);
      option.children.push_back({name, "Parameter Request List Item", std::to_string(value[i]),
                                 asked ? std::string(asked->name) : "", at + i, 1, {}});
    }
    return;
  }
  if (def && (def->type == dhcp_option_type::addresses || def->type == dhcp_option_type::address) &&
      value.size() % 4 == 0 && !value.empty()) {
    for (std::size_t i = 0; i < value.size(); i += 4)
      option.children.push_back({name, std::string(def->name), ipv4_address::read(value, i).to_string(), "", at + i, 4, {}});
    return;
  }
  if (name.empty()) return; // the raw value says it all (dhcp.option.value)
  std::string shown;
  if (def && (def->type == dhcp_option_type::u8 || def->type == dhcp_option_type::u16 ||
              def->type == dhcp_option_type::u32) && (value.size() == 1 || value.size() == 2 || value.size() == 4)) {
    std::uint32_t v = value.size() == 1 ? value[0] : value.size() == 2 ? read_be16(value, 0) : read_be32(value, 0);
    shown = std::to_string(v);
  } else if (def && def->type == dhcp_option_type::text) {
    shown.assign(value.begin(), value.end());
  } else {
    shown = colon_hex(value);
  }
  std::string meaning;
  if (code == 53 && value.size() == 1) meaning = message_type_name(value[0]);
  else if (def) meaning = decode_dhcp_option(*def, value).value_or("");
  if (meaning == shown) meaning.clear();
  option.children.push_back({name, def ? std::string(def->name) : "Value", shown, meaning, at, value.size(), {}});
}

} // namespace

void decode_dhcp(decoded_frame& out, byte_view frame, std::size_t at, std::size_t len) {
  out.layers.push_back({"dhcp", "Dynamic Host Configuration Protocol", at, len, {}});
  if (len < 240)
    return malformed(out, "dhcp", "", at, "a DHCP message is at least 240 bytes (236 of BOOTP and the magic "
                                          "cookie); " + std::to_string(len) + " remain");
  auto m = frame.subspan(at, len);
  add(out, {"dhcp.type", "Message type", std::to_string(m[0]), m[0] == 1 ? "Boot Request" : m[0] == 2 ? "Boot Reply" : "", at, 1, {}});
  add(out, {"dhcp.hw.type", "Hardware type", hex_value(m[1], 2), m[1] == 1 ? "Ethernet" : "", at + 1, 1, {}});
  add(out, {"dhcp.hw.len", "Hardware address length", std::to_string(m[2]), "", at + 2, 1, {}});
  add(out, {"dhcp.hops", "Hops", std::to_string(m[3]), "", at + 3, 1, {}});
  add(out, {"dhcp.id", "Transaction ID", hex_value(read_be32(m, 4), 8), "", at + 4, 4, {}});
  add(out, {"dhcp.secs", "Seconds elapsed", std::to_string(read_be16(m, 8)), "", at + 8, 2, {}});
  auto flags = read_be16(m, 10);
  add(out, {"dhcp.flags", "Bootp flags", hex_value(flags, 4), flags & 0x8000 ? "Broadcast" : "Unicast", at + 10, 2,
            {{"dhcp.flags.bc", "Broadcast flag", flags & 0x8000 ? "1" : "0", "", at + 10, 2, {}}}});
  add(out, {"dhcp.ip.client", "Client IP address", ipv4_address::read(m, 12).to_string(), "", at + 12, 4, {}});
  add(out, {"dhcp.ip.your", "Your (client) IP address", ipv4_address::read(m, 16).to_string(), "", at + 16, 4, {}});
  add(out, {"dhcp.ip.server", "Next server IP address", ipv4_address::read(m, 20).to_string(), "", at + 20, 4, {}});
  add(out, {"dhcp.ip.relay", "Relay agent IP address", ipv4_address::read(m, 24).to_string(), "", at + 24, 4, {}});
  if (m[1] == 1 && m[2] == 6)
    add(out, {"dhcp.hw.mac_addr", "Client MAC address", mac_address::read(m, 28).to_string(), "", at + 28, 6, {}});
  auto text = [&](std::size_t from, std::size_t n) {
    std::string s;
    for (std::size_t i = from; i < from + n && m[i]; ++i) s += static_cast<char>(m[i]);
    return s;
  };
  add(out, {"dhcp.server", "Server host name", text(44, 64), "", at + 44, 64, {}});
  add(out, {"dhcp.file", "Boot file name", text(108, 128), "", at + 108, 128, {}});
  if (read_be32(m, 236) != 0x63825363)
    return malformed(out, "dhcp", "dhcp.cookie", at + 236, std::string(to_string(parse_error::bad_magic_cookie)) +
                                                             ": not 99.130.83.99, so BOOTP without DHCP options");
  add(out, {"dhcp.cookie", "Magic cookie", "99.130.83.99", "DHCP", at + 236, 4, {}});
  out.protocol = "DHCP";
  for (std::size_t i = 240; i < len;) {
    auto code = m[i];
    if (code == 0) { // pad, to the next option or the end
      std::size_t run = i;
      while (run < len && m[run] == 0) ++run;
      add(out, {"dhcp.option.padding", "Padding", colon_hex(m.subspan(i, run - i)), "", at + i, run - i, {}});
      i = run;
      continue;
    }
    if (code == 255) {
      add(out, {"dhcp.option.end", "Option End", "255", "the options end here", at + i, 1, {}});
      ++i;
      continue;
    }
    if (i + 1 >= len || i + 2 + m[i + 1] > len)
      return malformed(out, "dhcp", "dhcp.option.length", at + i + 1,
                       std::string(to_string(parse_error::bad_option_length)) + ": option " + std::to_string(code) +
                         " runs past the message");
    std::size_t n = m[i + 1];
    const auto* def = find_dhcp_option(code);
    field option{"dhcp.option.type", "Option", std::to_string(code), def ? std::string(def->name) : "unknown",
                 at + i, n + 2, {{"dhcp.option.length", "Length", std::to_string(n), "", at + i + 1, 1, {}}}};
    // Wireshark gives every option's raw value too, then the value decoded.
    option.children.push_back({"dhcp.option.value", "Value", colon_hex(m.subspan(i + 2, n)), "", at + i + 2, n, {}});
    add_value(option, code, m.subspan(i + 2, n), at + i + 2);
    if (code == 53 && n == 1) out.info = std::string("DHCP ") + message_type_name(m[i + 2]) + " - Transaction ID " +
                                         hex_value(read_be32(m, 4), 8);
    add(out, std::move(option));
    i += 2 + n;
  }
}

} // namespace etherbeam::apps::decoder::detail
