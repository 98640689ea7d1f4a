// IPv4 (RFC 791) and ICMP (RFC 792) for the decoder.
#include "apps/decoder/frame_decoder.hpp"

#include "protocols/checksum.hpp"
#include "protocols/icmpv4.hpp"
#include "protocols/ipv4.hpp"

namespace etherbeam::apps::decoder::detail {

using namespace protocols;

namespace {

std::string protocol_name(std::uint8_t p) {
  switch (p) {
    case 1: return "ICMP";
    case 2: return "IGMP";
    case 6: return "TCP";
    case 17: return "UDP";
    case 47: return "GRE";
    case 50: return "ESP";
    default: return "";
  }
}

std::string option_name(std::uint8_t type) {
  switch (type) {
    case 0: return "End of Options List (EOL)";
    case 1: return "No-Operation (NOP)";
    case 7: return "Record Route";
    case 68: return "Time Stamp";
    case 130: return "Security";
    case 131: return "Loose Source Route";
    case 137: return "Strict Source Route";
    case 148: return "Router Alert";
    default: return "unknown";
  }
}

void decode_options(decoded_frame& out, byte_view frame, std::size_t at, std::size_t end) {
  while (at < end) {
    auto type = frame[at];
    field option{"ip.opt.type", "IP option", std::to_string(type), option_name(type), at, 1, {}};
    if (type == 0 || type == 1) {
      add(out, std::move(option));
      ++at;
      if (type == 0) break;
      continue;
    }
    if (at + 1 >= end || frame[at + 1] < 2 || at + frame[at + 1] > end) {
      malformed(out, "ip", "ip.opt.len", at + 1, "option " + std::to_string(type) + "'s length runs past the header");
      return;
    }
    std::size_t len = frame[at + 1];
    option.length = len;
    option.children.push_back({"ip.opt.len", "Length", std::to_string(len), "", at + 1, 1, {}});
    if (len > 2) option.children.push_back({"ip.opt.value", "Value", colon_hex(frame.subspan(at + 2, len - 2)), "",
                                            at + 2, len - 2, {}});
    add(out, std::move(option));
    at += len;
  }
}

bool is_icmp_error(std::uint8_t type) { return type == 3 || type == 4 || type == 5 || type == 11 || type == 12; }

std::string icmp_type_name(std::uint8_t type) {
  switch (type) {
    case 0: return "Echo (ping) reply";
    case 3: return "Destination unreachable";
    case 4: return "Source quench";
    case 5: return "Redirect";
    case 8: return "Echo (ping) request";
    case 11: return "Time-to-live exceeded";
    case 12: return "Parameter problem";
    case 13: return "Timestamp request";
    case 14: return "Timestamp reply";
    default: return "";
  }
}

std::string icmp_code_name(std::uint8_t type, std::uint8_t code) {
  if (type == 3) {
    static const char* names[] = {"Network unreachable", "Host unreachable", "Protocol unreachable",
                                  "Port unreachable", "Fragmentation needed", "Source route failed",
                                  "Destination network unknown", "Destination host unknown"};
    if (code < 8) return names[code];
    if (code == 13) return "Communication administratively prohibited";
  }
  if (type == 11) return code == 0 ? "Time to live exceeded in transit" : code == 1 ? "Fragment reassembly time exceeded" : "";
  return "";
}

void decode_icmp(decoded_frame& out, byte_view frame, std::size_t at, std::size_t len, bool quoted) {
  out.layers.push_back({"icmp", "Internet Control Message Protocol", at, len, {}});
  if (len < icmpv4_packet::header_len) {
    malformed(out, "icmp", "", at, "an ICMP header is 8 bytes; " + std::to_string(len) + " remain");
    return;
  }
  auto bytes = frame.subspan(at, len);
  auto type = bytes[0], code = bytes[1];
  add(out, {"icmp.type", "Type", std::to_string(type), icmp_type_name(type), at, 1, {}});
  add(out, {"icmp.code", "Code", std::to_string(code), icmp_code_name(type, code), at + 1, 1, {}});
  internet_checksum sum;
  sum.add(bytes.first(2));
  sum.add(bytes.subspan(4));
  add_checksum(out, "icmp", read_be16(bytes, 2), quoted ? std::nullopt : std::optional(sum.value()), at + 2);
  if (!quoted) {
    out.protocol = "ICMP";
    out.info = icmp_type_name(type);
    if (auto why = icmp_code_name(type, code); !why.empty()) out.info += " (" + why + ")";
  }
  if (type == 0 || type == 8) {
    add(out, {"icmp.ident", "Identifier (BE)", std::to_string(read_be16(bytes, 4)), "", at + 4, 2, {}});
    add(out, {"icmp.seq", "Sequence number (BE)", std::to_string(read_be16(bytes, 6)), "", at + 6, 2, {}});
    if (!quoted)
      out.info += "  id=" + hex_value(read_be16(bytes, 4), 4) + ", seq=" + std::to_string(read_be16(bytes, 6));
    decode_data(out, frame, at + 8, len - 8);
  } else if (is_icmp_error(type)) {
    if (type == 3 && code == 4)
      add(out, {"icmp.mtu", "MTU of next hop", std::to_string(read_be16(bytes, 6)), "", at + 6, 2, {}});
    if (!quoted) decode_ipv4(out, frame, at + 8, true); // the datagram it is about
  } else {
    decode_data(out, frame, at + 4, len - 4);
  }
}

} // namespace

void decode_ipv4(decoded_frame& out, byte_view frame, std::size_t at, bool quoted) {
  auto bytes = frame.subspan(at);
  out.layers.push_back({"ip", "Internet Protocol Version 4", at, std::min<std::size_t>(bytes.size(), 20), {}});
  if (bytes.size() < ipv4_packet::min_header_len) {
    malformed(out, "ip", "", at, "an IPv4 header is at least 20 bytes; " + std::to_string(bytes.size()) + " remain");
    return;
  }
  auto version = bytes[0] >> 4;
  std::size_t header = std::size_t(bytes[0] & 0x0f) * 4;
  add(out, {"ip.version", "Version", std::to_string(version), "", at, 1, {}});
  add(out, {"ip.hdr_len", "Header Length", std::to_string(header), std::to_string(header / 4) + " words", at, 1, {}});
  if (version != 4) return malformed(out, "ip", "ip.version", at, "the version is " + std::to_string(version) + ", not 4");
  if (header < 20 || header > bytes.size())
    return malformed(out, "ip", "ip.hdr_len", at,
                     "the header length says " + std::to_string(header) + " bytes; " +
                       (header < 20 ? "the least is 20" : std::to_string(bytes.size()) + " remain"));
  out.layers.back().length = header;
  auto tos = bytes[1];
  add(out, {"ip.dsfield", "Differentiated Services Field", hex_value(tos, 2), "", at + 1, 1,
            {{"ip.dsfield.dscp", "Differentiated Services Codepoint", std::to_string(tos >> 2), "", at + 1, 1, {}},
             {"ip.dsfield.ecn", "Explicit Congestion Notification", std::to_string(tos & 3), "", at + 1, 1, {}}}});
  std::size_t total = read_be16(bytes, 2);
  add(out, {"ip.len", "Total Length", std::to_string(total), "", at + 2, 2, {}});
  add(out, {"ip.id", "Identification", hex_value(read_be16(bytes, 4), 4), std::to_string(read_be16(bytes, 4)), at + 4, 2, {}});
  auto flags_fragment = read_be16(bytes, 6);
  auto flags = flags_fragment >> 13;
  std::string flag_names = flags & 2 ? "Don't fragment" : "";
  if (flags & 1) flag_names += flag_names.empty() ? "More fragments" : ", More fragments";
  add(out, {"ip.flags", "Flags", hex_value(flags, 2), flag_names, at + 6, 1,
            {{"ip.flags.rb", "Reserved bit", std::to_string(flags >> 2 & 1), "", at + 6, 1, {}},
             {"ip.flags.df", "Don't fragment", std::to_string(flags >> 1 & 1), "", at + 6, 1, {}},
             {"ip.flags.mf", "More fragments", std::to_string(flags & 1), "", at + 6, 1, {}}}});
  std::size_t fragment_offset = std::size_t(flags_fragment & 0x1fff) * 8;
  add(out, {"ip.frag_offset", "Fragment Offset", std::to_string(fragment_offset / 8),
            std::to_string(fragment_offset) + " bytes", at + 6, 2, {}});
  add(out, {"ip.ttl", "Time to Live", std::to_string(bytes[8]), "", at + 8, 1, {}});
  auto protocol = bytes[9];
  add(out, {"ip.proto", "Protocol", std::to_string(protocol), protocol_name(protocol), at + 9, 1, {}});
  internet_checksum sum;
  sum.add(bytes.first(10));
  sum.add(bytes.subspan(12, header - 12));
  add_checksum(out, "ip", read_be16(bytes, 10), sum.value(), at + 10);
  auto source = ipv4_address::read(bytes, 12), destination = ipv4_address::read(bytes, 16);
  add(out, {"ip.src", "Source Address", source.to_string(), "", at + 12, 4, {}});
  add(out, {"ip.dst", "Destination Address", destination.to_string(), "", at + 16, 4, {}});
  out.layers.back().title += ", Src: " + source.to_string() + ", Dst: " + destination.to_string();
  decode_options(out, frame, at + 20, at + header);
  if (!quoted) {
    out.source = source.to_string();
    out.destination = destination.to_string();
    out.protocol = "IPv4";
  }
  if (total < header) return malformed(out, "ip", "ip.len", at + 2, "the total length " + std::to_string(total) +
                                                                      " is shorter than the header");
  // A quoted datagram is cut after 8 bytes of its payload; one on the wire must be whole.
  std::size_t len = std::min(total, bytes.size()) - header;
  if (!quoted && total > bytes.size())
    return malformed(out, "ip", "ip.len", at + 2, "the total length says " + std::to_string(total) + " bytes; " +
                                                    std::to_string(bytes.size()) + " remain");
  std::size_t payload = at + header;
  if (fragment_offset != 0 || (flags & 1)) { // not reassembled here: the payload is shown as it is
    if (!quoted) out.info = "Fragmented IP protocol (proto=" + std::to_string(protocol) + ", off=" +
                            std::to_string(fragment_offset) + ", ID=" + hex_value(read_be16(bytes, 4), 4) + ")";
    return decode_data(out, frame, payload, len);
  }
  transport_context transport{{}, quoted, true};
  transport.addresses.add_u32(source.value).add_u32(destination.value);
  switch (protocol) {
    case 1: return decode_icmp(out, frame, payload, len, quoted);
    case 17: return decode_udp(out, frame, payload, len, transport);
    case 6: return decode_tcp(out, frame, payload, len, transport);
    default: return decode_data(out, frame, payload, len);
  }
}

} // namespace etherbeam::apps::decoder::detail
