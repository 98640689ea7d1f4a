#include "apps/decoder/frame_decoder.hpp"

#include <cstdio>

#include "protocols/arp.hpp"
#include "protocols/ethernet.hpp"
#include "protocols/parse_result.hpp"

namespace etherbeam::apps::decoder {

using namespace protocols;

std::string hex_value(std::uint64_t v, int digits) {
  char text[24];
  std::snprintf(text, sizeof text, "0x%0*llx", digits, static_cast<unsigned long long>(v));
  return text;
}

std::string colon_hex(byte_view bytes) {
  static const char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 3);
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    if (i) out += ':';
    out += digits[bytes[i] >> 4];
    out += digits[bytes[i] & 0xf];
  }
  return out;
}

namespace detail {

field& add(decoded_frame& out, field f) {
  auto& fields = out.layers.back().fields;
  fields.push_back(std::move(f));
  return fields.back();
}

void malformed(decoded_frame& out, std::string layer, std::string field, std::size_t offset, std::string why) {
  if (!out.malformed) out.malformed = malformation{std::move(layer), std::move(field), offset, std::move(why)};
}

void add_checksum(decoded_frame& out, const std::string& proto, std::uint16_t wire,
                  std::optional<std::uint16_t> right, std::size_t offset, bool partial) {
  std::string meaning = !right ? "unverified" : partial ? "partial: the sender left it to be finished by offload"
                        : *right == wire ? "correct" : "incorrect, should be " + hex_value(*right, 4);
  add(out, {proto + ".checksum", "Checksum", hex_value(wire, 4), meaning, offset, 2, {}});
  // Wireshark's status: 0 bad, 1 good, 2 unverified.
  std::string status = !right || partial ? "2" : *right == wire ? "1" : "0";
  add(out, {proto + ".checksum.status", "Checksum status", status,
            status == "1" ? "Good" : status == "0" ? "Bad" : partial ? "Partial" : "Unverified", offset, 2, {}});
}

void decode_data(decoded_frame& out, byte_view frame, std::size_t at, std::size_t len) {
  if (len == 0) return;
  out.layers.push_back({"data", "Data (" + std::to_string(len) + " bytes)", at, len, {}});
  add(out, {"data.data", "Data", colon_hex(frame.subspan(at, len)), "", at, len, {}});
  add(out, {"data.len", "Length", std::to_string(len), "", at, len, {}});
}

} // namespace detail

std::string detail::ethertype_name(std::uint16_t t) {
  switch (t) {
    case ethertype::ipv4: return "IPv4";
    case ethertype::arp: return "ARP";
    case ethertype::vlan: return "802.1Q Virtual LAN";
    case ethertype::qinq: return "802.1ad Provider Bridge (Q-in-Q)";
    case 0x86dd: return "IPv6";
    default: return "";
  }
}

namespace {

using detail::add;
using detail::ethertype_name;

std::string mac_meaning(const mac_address& m) {
  if (m.is_broadcast()) return "broadcast";
  return m.is_group() ? "group (multicast) address" : "";
}

void decode_arp(decoded_frame& out, byte_view frame, std::size_t at) {
  auto bytes = frame.subspan(at);
  out.layers.push_back({"arp", "Address Resolution Protocol", at, std::min<std::size_t>(bytes.size(), 28), {}});
  auto packet = arp_packet::check(bytes);
  if (!packet) {
    detail::malformed(out, "arp", "", at, std::string("ARP: ") + std::string(to_string(packet.error())));
    return;
  }
  auto op = packet->operation();
  std::string op_name = op == 1 ? "request" : op == 2 ? "reply" : "";
  out.layers.back().title += op_name.empty() ? "" : " (" + op_name + ")";
  add(out, {"arp.hw.type", "Hardware type", std::to_string(packet->hardware_type()),
            packet->hardware_type() == 1 ? "Ethernet" : "", at, 2, {}});
  add(out, {"arp.proto.type", "Protocol type", hex_value(packet->protocol_type(), 4), "IPv4", at + 2, 2, {}});
  add(out, {"arp.hw.size", "Hardware size", std::to_string(packet->hardware_len()), "", at + 4, 1, {}});
  add(out, {"arp.proto.size", "Protocol size", std::to_string(packet->protocol_len()), "", at + 5, 1, {}});
  add(out, {"arp.opcode", "Opcode", std::to_string(op), op_name, at + 6, 2, {}});
  add(out, {"arp.src.hw_mac", "Sender MAC address", packet->sender_hardware().to_string(), "", at + 8, 6, {}});
  add(out, {"arp.src.proto_ipv4", "Sender IP address", packet->sender_protocol().to_string(), "", at + 14, 4, {}});
  add(out, {"arp.dst.hw_mac", "Target MAC address", packet->target_hardware().to_string(), "", at + 18, 6, {}});
  add(out, {"arp.dst.proto_ipv4", "Target IP address", packet->target_protocol().to_string(), "", at + 24, 4, {}});
  out.protocol = "ARP";
  out.info = op == 1 ? "Who has " + packet->target_protocol().to_string() + "? Tell " + packet->sender_protocol().to_string()
             : op == 2 ? packet->sender_protocol().to_string() + " is at " + packet->sender_hardware().to_string()
                       : "opcode " + std::to_string(op);
}

} // namespace

std::optional<link_type> link_type_of_dlt(int dlt) {
  switch (dlt) {
    case 1: return link_type::ethernet;     // DLT_EN10MB
    case 113: return link_type::linux_sll;  // DLT_LINUX_SLL
    case 276: return link_type::linux_sll2; // DLT_LINUX_SLL2
    case 12: case 228: return link_type::raw_ip; // DLT_RAW (LINKTYPE_RAW), DLT_IPV4
    default: return std::nullopt;
  }
}

decoded_frame decode_frame(byte_view frame, link_type link) {
  decoded_frame out;
  out.length = frame.size();
  switch (link) {
    case link_type::linux_sll: detail::decode_linux_sll(out, frame, false); return out;
    case link_type::linux_sll2: detail::decode_linux_sll(out, frame, true); return out;
    case link_type::raw_ip: detail::decode_raw_ip(out, frame); return out;
    case link_type::ethernet: break;
  }
  out.layers.push_back({"eth", "Ethernet II", 0, std::min<std::size_t>(frame.size(), 14), {}});
  if (frame.size() < 14) {
    detail::malformed(out, "eth", "", 0,
                      "an Ethernet header is 14 bytes; the frame has " + std::to_string(frame.size()));
    return out;
  }
  auto dst = mac_address::read(frame, 0), src = mac_address::read(frame, 6);
  out.source = src.to_string();
  out.destination = dst.to_string();
  out.layers.back().title += ", Src: " + out.source + ", Dst: " + out.destination;
  add(out, {"eth.dst", "Destination", out.destination, mac_meaning(dst), 0, 6, {}});
  add(out, {"eth.src", "Source", out.source, mac_meaning(src), 6, 6, {}});
  auto type = read_be16(frame, 12);
  add(out, {"eth.type", "Type", hex_value(type, 4), ethertype_name(type), 12, 2, {}});
  out.protocol = "ETH";
  detail::decode_ethertype(out, frame, 14, type);
  return out;
}

void detail::decode_ethertype(decoded_frame& out, byte_view frame, std::size_t at, std::uint16_t type) {
  int tags = 0;
  while (type == ethertype::vlan || type == ethertype::qinq) {
    if (++tags > 2) {
      detail::malformed(out, "vlan", "vlan.etype", at, std::string(to_string(parse_error::too_many_vlan_tags)));
      return;
    }
    if (frame.size() < at + 4) {
      detail::malformed(out, "vlan", "", at, "an 802.1Q tag is 4 bytes; " + std::to_string(frame.size() - at) + " remain");
      return;
    }
    auto tci = read_be16(frame, at);
    bool service_tag = type == ethertype::qinq; // Wireshark names 802.1ad's fields apart
    std::string proto = service_tag ? "ieee8021ad" : "vlan";
    type = read_be16(frame, at + 2);
    out.layers.push_back({proto, std::string(service_tag ? "802.1ad" : "802.1Q") + " Virtual LAN, PRI: " +
                                   std::to_string(tci >> 13) + ", DEI: " + std::to_string((tci >> 12) & 1) +
                                   ", ID: " + std::to_string(tci & 0x0fff),
                          at, 4, {}});
    add(out, {proto + ".priority", "Priority", std::to_string(tci >> 13), "", at, 2, {}});
    add(out, {proto + ".dei", "DEI", std::to_string((tci >> 12) & 1), "drop eligible", at, 2, {}});
    add(out, {proto + ".id", "ID", std::to_string(tci & 0x0fff), "", at, 2, {}});
    // (Wireshark 4.0 calls the 802.1ad tag's type field ieee8021ah.etype.)
    add(out, {service_tag ? "ieee8021ah.etype" : "vlan.etype", "Type", hex_value(type, 4), ethertype_name(type),
              at + 2, 2, {}});
    at += 4;
  }
  if (type == ethertype::arp) decode_arp(out, frame, at);
  else if (type == ethertype::ipv4) detail::decode_ipv4(out, frame, at);
  else if (type == 0x86dd) detail::decode_ipv6(out, frame, at);
  else detail::decode_data(out, frame, at, frame.size() - at);
}

} // namespace etherbeam::apps::decoder
