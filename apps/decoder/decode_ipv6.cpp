// IPv6 (RFC 8200) and ICMPv6 (RFC 4443: echo, errors; RFC 4861: neighbour
// discovery; RFC 3810: MLDv2 reports) for the decoder, field names as
// Wireshark's. etherbeam's stack speaks IPv4 only; this is for reading the
// IPv6 that every link also carries.
#include <arpa/inet.h>

#include "apps/decoder/frame_decoder.hpp"

namespace etherbeam::apps::decoder::detail {

using namespace protocols;

namespace {

std::string ipv6_text(byte_view frame, std::size_t at) {
  char text[INET6_ADDRSTRLEN] = "";
  ::inet_ntop(AF_INET6, frame.data() + at, text, sizeof text); // RFC 5952's form, as Wireshark writes it
  return text;
}

std::string next_header_name(unsigned nh) {
  switch (nh) {
    case 0: return "IPv6 Hop-by-Hop Option";
    case 6: return "TCP";
    case 17: return "UDP";
    case 43: return "Routing Header for IPv6";
    case 44: return "Fragment Header for IPv6";
    case 58: return "ICMPv6";
    case 59: return "No Next Header for IPv6";
    case 60: return "Destination Options for IPv6";
    default: return "";
  }
}

// The options of a hop-by-hop or destination options header (RFC 8200 §4.2).
void add_options(field& header, byte_view frame, std::size_t at, std::size_t end) {
  while (at < end) {
    auto type = frame[at];
    field option{"ipv6.opt", "Option", "", "", at, 1, {}};
    field type_field{"ipv6.opt.type", "Type", hex_value(type, 2), "", at, 1,
                     {{"ipv6.opt.type.action", "Action", std::to_string(type >> 6), "", at, 1, {}},
                      {"ipv6.opt.type.change", "May Change", std::to_string(type >> 5 & 1), "", at, 1, {}},
                      {"ipv6.opt.type.rest", "Low-Order Bits", hex_value(type & 0x1f, 2), "", at, 1, {}}}};
    option.children.push_back(std::move(type_field));
    if (type == 0) { // Pad1: a lone byte
      option.meaning = "Pad1";
      header.children.push_back(std::move(option));
      ++at;
      continue;
    }
    if (at + 1 >= end || at + 2 + frame[at + 1] > end) break; // runs past its header: shown no further
    std::size_t len = frame[at + 1];
    option.length = 2 + len;
    option.children.push_back({"ipv6.opt.length", "Length", std::to_string(len), "", at + 1, 1, {}});
    if (type == 1) {
      option.meaning = "PadN";
      option.children.push_back({"ipv6.opt.padn", "PadN", colon_hex(frame.subspan(at + 2, len)), "", at + 2, len, {}});
    } else if (type == 5 && len == 2) {
      option.meaning = "Router Alert";
      option.children.push_back({"ipv6.opt.router_alert", "Router Alert", std::to_string(read_be16(frame, at + 2)),
                                 read_be16(frame, at + 2) == 0 ? "MLD" : "", at + 2, 2, {}});
    }
    header.children.push_back(std::move(option));
    at += 2 + len;
  }
}

std::string icmpv6_type_name(unsigned type) {
  switch (type) {
    case 1: return "Destination Unreachable";
    case 2: return "Packet Too Big";
    case 3: return "Time Exceeded";
    case 4: return "Parameter Problem";
    case 128: return "Echo (ping) request";
    case 129: return "Echo (ping) reply";
    case 130: return "Multicast Listener Query";
    case 131: return "Multicast Listener Report";
    case 132: return "Multicast Listener Done";
    case 133: return "Router Solicitation";
    case 134: return "Router Advertisement";
    case 135: return "Neighbor Solicitation";
    case 136: return "Neighbor Advertisement";
    case 137: return "Redirect";
    case 143: return "Multicast Listener Report Message v2";
    default: return "";
  }
}

std::string unreachable_code_name(unsigned code) {
  static const char* names[] = {"no route to destination", "communication with destination administratively prohibited",
                                "beyond scope of source address", "address unreachable", "port unreachable",
                                "source address failed ingress/egress policy", "reject route to destination"};
  return code < 7 ? names[code] : "";
}

// Neighbour discovery options (RFC 4861 §4.6), from `at` to `end`.
void add_nd_options(decoded_frame& out, byte_view frame, std::size_t at, std::size_t end) {
  while (at + 2 <= end) {
    auto type = frame[at];
    std::size_t len = std::size_t(frame[at + 1]) * 8;
    if (len == 0 || at + len > end)
      return malformed(out, "icmpv6", "icmpv6.opt.length", at + 1, "option " + std::to_string(type) +
                                                                       "'s length runs past the message");
    field option{"icmpv6.opt", "ICMPv6 Option", "", "", at, len,
                 {{"icmpv6.opt.type", "Type", std::to_string(type), "", at, 1, {}},
                  {"icmpv6.opt.length", "Length", std::to_string(frame[at + 1]), std::to_string(len) + " bytes",
                   at + 1, 1, {}}}};
    if ((type == 1 || type == 2) && len == 8) {
      auto mac = colon_hex(frame.subspan(at + 2, 6));
      option.meaning = type == 1 ? "Source link-layer address" : "Target link-layer address";
      option.children.push_back({"icmpv6.opt.linkaddr", "Link-layer address", mac, "", at + 2, 6, {}});
      option.children.push_back({type == 1 ? "icmpv6.opt.src_linkaddr" : "icmpv6.opt.target_linkaddr",
                                 option.meaning, mac, "", at + 2, 6, {}});
    } else if (type == 5 && len == 8) {
      option.meaning = "MTU";
      option.children.push_back({"icmpv6.opt.mtu", "MTU", std::to_string(read_be32(frame, at + 4)), "", at + 4, 4, {}});
    } else if (type == 14) {
      option.meaning = "Nonce";
      option.children.push_back({"icmpv6.opt.nonce", "Nonce", colon_hex(frame.subspan(at + 2, len - 2)), "", at + 2,
                                 len - 2, {}});
    }
    add(out, std::move(option));
    at += len;
  }
}

// MLDv2 report records (RFC 3810 §5.2).
void add_mld_records(decoded_frame& out, byte_view frame, std::size_t at, std::size_t end, unsigned count) {
  for (unsigned i = 0; i < count; ++i) {
    if (at + 20 > end) return malformed(out, "icmpv6", "icmpv6.mldr.mar", at, "a record runs past the message");
    unsigned aux = frame[at + 1], sources = read_be16(frame, at + 2);
    std::size_t len = 20 + std::size_t(sources) * 16 + std::size_t(aux) * 4;
    if (at + len > end) return malformed(out, "icmpv6", "icmpv6.mldr.mar", at, "a record runs past the message");
    field record{"icmpv6.mldr.mar", "Multicast Address Record", "", "", at, len,
                 {{"icmpv6.mldr.mar.record_type", "Record Type", std::to_string(frame[at]), "", at, 1, {}},
                  {"icmpv6.mldr.mar.aux_data_len", "Aux Data Len", std::to_string(aux), "", at + 1, 1, {}},
                  {"icmpv6.mldr.mar.nb_sources", "Number of Sources", std::to_string(sources), "", at + 2, 2, {}},
                  {"icmpv6.mldr.mar.multicast_address", "Multicast Address", ipv6_text(frame, at + 4), "", at + 4, 16, {}}}};
    for (unsigned s = 0; s < sources; ++s)
      record.children.push_back({"icmpv6.mldr.mar.source_address", "Source Address", ipv6_text(frame, at + 20 + s * 16),
                                 "", at + 20 + s * 16, 16, {}});
    add(out, std::move(record));
    at += len;
  }
}

void decode_icmpv6(decoded_frame& out, byte_view frame, std::size_t at, std::size_t len,
                   const internet_checksum& addresses, bool quoted, bool verifiable) {
  out.layers.push_back({"icmpv6", "Internet Control Message Protocol v6", at, len, {}});
  if (len < 4) return malformed(out, "icmpv6", "", at, "an ICMPv6 header is 4 bytes; " + std::to_string(len) + " remain");
  auto bytes = frame.subspan(at, len);
  unsigned type = bytes[0], code = bytes[1];
  add(out, {"icmpv6.type", "Type", std::to_string(type), icmpv6_type_name(type), at, 1, {}});
  add(out, {"icmpv6.code", "Code", std::to_string(code), type == 1 ? unreachable_code_name(code) : "", at + 1, 1, {}});
  std::optional<std::uint16_t> right;
  if (verifiable && !quoted) { // RFC 4443 §2.3: over the pseudo-header (RFC 8200 §8.1) too
    internet_checksum sum = addresses;
    sum.add_u32(static_cast<std::uint32_t>(len)).add_u16(58);
    sum.add(bytes.first(2));
    sum.add(bytes.subspan(4));
    right = sum.value();
  }
  add_checksum(out, "icmpv6", read_be16(bytes, 2), right, at + 2);
  if (!quoted) {
    out.protocol = "ICMPv6";
    out.info = icmpv6_type_name(type);
  }
  auto need = [&](std::size_t n) {
    if (len >= n) return true;
    malformed(out, "icmpv6", "", at, icmpv6_type_name(type) + " is at least " + std::to_string(n) + " bytes; " +
                                       std::to_string(len) + " remain");
    return false;
  };
  auto target = [&](const char* name) {
    add(out, {name, "Target Address", ipv6_text(frame, at + 8), "", at + 8, 16, {}});
    if (!quoted) out.info += " for " + ipv6_text(frame, at + 8);
  };
  if (type == 1 || type == 3 || type == 4 || type == 2) { // errors: the datagram that caused it follows
    if (!need(8)) return;
    if (type == 2) add(out, {"icmpv6.mtu", "MTU", std::to_string(read_be32(bytes, 4)), "", at + 4, 4, {}});
    else if (type == 4) add(out, {"icmpv6.pointer", "Pointer", std::to_string(read_be32(bytes, 4)), "", at + 4, 4, {}});
    else add(out, {"icmpv6.reserved", "Reserved", colon_hex(bytes.subspan(4, 4)), "", at + 4, 4, {}});
    if (!quoted && len >= 48) decode_ipv6(out, frame, at + 8, true);
  } else if (type == 128 || type == 129) {
    if (!need(8)) return;
    add(out, {"icmpv6.echo.identifier", "Identifier", hex_value(read_be16(bytes, 4), 4), "", at + 4, 2, {}});
    add(out, {"icmpv6.echo.sequence_number", "Sequence", std::to_string(read_be16(bytes, 6)), "", at + 6, 2, {}});
    if (!quoted) out.info += " id=" + hex_value(read_be16(bytes, 4), 4) + ", seq=" + std::to_string(read_be16(bytes, 6));
    decode_data(out, frame, at + 8, len - 8);
  } else if (type == 133) {
    if (!need(8)) return;
    add(out, {"icmpv6.reserved", "Reserved", colon_hex(bytes.subspan(4, 4)), "", at + 4, 4, {}});
    add_nd_options(out, frame, at + 8, at + len);
  } else if (type == 134) {
    if (!need(16)) return;
    add(out, {"icmpv6.nd.ra.cur_hop_limit", "Cur hop limit", std::to_string(bytes[4]), "", at + 4, 1, {}});
    add(out, {"icmpv6.nd.ra.flag", "Flags", hex_value(bytes[5], 2), "", at + 5, 1, {}});
    add(out, {"icmpv6.nd.ra.router_lifetime", "Router lifetime (s)", std::to_string(read_be16(bytes, 6)), "", at + 6, 2, {}});
    add(out, {"icmpv6.nd.ra.reachable_time", "Reachable time (ms)", std::to_string(read_be32(bytes, 8)), "", at + 8, 4, {}});
    add(out, {"icmpv6.nd.ra.retrans_timer", "Retrans timer (ms)", std::to_string(read_be32(bytes, 12)), "", at + 12, 4, {}});
    add_nd_options(out, frame, at + 16, at + len);
  } else if (type == 135) {
    if (!need(24)) return;
    add(out, {"icmpv6.reserved", "Reserved", colon_hex(bytes.subspan(4, 4)), "", at + 4, 4, {}});
    target("icmpv6.nd.ns.target_address");
    add_nd_options(out, frame, at + 24, at + len);
  } else if (type == 136) {
    if (!need(24)) return;
    auto flags = read_be32(bytes, 4);
    add(out, {"icmpv6.nd.na.flag", "Flags", hex_value(flags, 8), "", at + 4, 4,
              {{"icmpv6.nd.na.flag.r", "Router", std::to_string(flags >> 31), "", at + 4, 4, {}},
               {"icmpv6.nd.na.flag.s", "Solicited", std::to_string(flags >> 30 & 1), "", at + 4, 4, {}},
               {"icmpv6.nd.na.flag.o", "Override", std::to_string(flags >> 29 & 1), "", at + 4, 4, {}},
               {"icmpv6.nd.na.flag.rsv", "Reserved", std::to_string(flags & 0x1fffffff), "", at + 4, 4, {}}}});
    target("icmpv6.nd.na.target_address");
    add_nd_options(out, frame, at + 24, at + len);
  } else if (type >= 130 && type <= 132) {
    if (!need(24)) return;
    add(out, {"icmpv6.mld.maximum_response_delay", "Maximum Response Delay [ms]", std::to_string(read_be16(bytes, 4)),
              "", at + 4, 2, {}});
    add(out, {"icmpv6.reserved", "Reserved", colon_hex(bytes.subspan(6, 2)), "", at + 6, 2, {}});
    add(out, {"icmpv6.mld.multicast_address", "Multicast Address", ipv6_text(frame, at + 8), "", at + 8, 16, {}});
  } else if (type == 143) {
    if (!need(8)) return;
    add(out, {"icmpv6.reserved", "Reserved", colon_hex(bytes.subspan(4, 2)), "", at + 4, 2, {}});
    unsigned records = read_be16(bytes, 6);
    add(out, {"icmpv6.mldr.nb_mcast_records", "Number of Multicast Address Records", std::to_string(records), "",
              at + 6, 2, {}});
    add_mld_records(out, frame, at + 8, at + len, records);
  } else {
    decode_data(out, frame, at + 4, len - 4);
  }
}

} // namespace

void decode_ipv6(decoded_frame& out, byte_view frame, std::size_t at, bool quoted) {
  auto bytes = frame.subspan(at);
  out.layers.push_back({"ipv6", "Internet Protocol Version 6", at, std::min<std::size_t>(bytes.size(), 40), {}});
  if (bytes.size() < 40)
    return malformed(out, "ipv6", "", at, "an IPv6 header is 40 bytes; " + std::to_string(bytes.size()) + " remain");
  unsigned version = bytes[0] >> 4;
  add(out, {"ipv6.version", "Version", std::to_string(version), "", at, 1, {}});
  if (version != 6) return malformed(out, "ipv6", "ipv6.version", at, "the version is " + std::to_string(version) + ", not 6");
  auto first = read_be32(bytes, 0);
  unsigned tclass = first >> 20 & 0xff;
  add(out, {"ipv6.tclass", "Traffic Class", hex_value(tclass, 8), "", at, 2,
            {{"ipv6.tclass.dscp", "Differentiated Services Codepoint", std::to_string(tclass >> 2), "", at, 2, {}},
             {"ipv6.tclass.ecn", "Explicit Congestion Notification", std::to_string(tclass & 3), "", at, 2, {}}}});
  add(out, {"ipv6.flow", "Flow Label", hex_value(first & 0xfffff, 6), "", at + 1, 3, {}});
  std::size_t payload_length = read_be16(bytes, 4);
  unsigned next = bytes[6];
  add(out, {"ipv6.plen", "Payload Length", std::to_string(payload_length), "", at + 4, 2, {}});
  add(out, {"ipv6.nxt", "Next Header", std::to_string(next), next_header_name(next), at + 6, 1, {}});
  add(out, {"ipv6.hlim", "Hop Limit", std::to_string(bytes[7]), "", at + 7, 1, {}});
  auto source = ipv6_text(frame, at + 8), destination = ipv6_text(frame, at + 24);
  add(out, {"ipv6.src", "Source Address", source, "", at + 8, 16, {}});
  add(out, {"ipv6.dst", "Destination Address", destination, "", at + 24, 16, {}});
  out.layers.back().title += ", Src: " + source + ", Dst: " + destination;
  if (!quoted) {
    out.source = source;
    out.destination = destination;
    out.protocol = "IPv6";
  }
  // A quoted datagram may be cut anywhere; one on the wire must be whole.
  if (!quoted && 40 + payload_length > bytes.size())
    return malformed(out, "ipv6", "ipv6.plen", at + 4, "the payload length says " + std::to_string(payload_length) +
                                                         " bytes; " + std::to_string(bytes.size() - 40) + " remain");
  std::size_t end = at + std::min(40 + payload_length, bytes.size());
  std::size_t here = at + 40;
  bool fragmented = false, later_fragment = false;
  std::size_t fragment_offset = 0;
  // Extension headers (RFC 8200 §4), in the order they come.
  while (next == 0 || next == 60 || next == 43 || next == 44) {
    bool fragment = next == 44;
    std::size_t len = fragment ? 8 : (here + 2 <= end ? (std::size_t(frame[here + 1]) + 1) * 8 : 8);
    if (here + len > end)
      return malformed(out, "ipv6", "", here, next_header_name(next) + " runs past the packet");
    const char* name = next == 0 ? "ipv6.hopopts" : next == 60 ? "ipv6.dstopts" : fragment ? "ipv6.fraghdr" : "ipv6.routing";
    std::string prefix = name;
    field header{name, next_header_name(next), "", "", here, len, {}};
    unsigned following = frame[here];
    header.children.push_back({prefix + ".nxt", "Next Header", std::to_string(following), next_header_name(following),
                               here, 1, {}});
    if (fragment) {
      auto offset_flags = read_be16(frame, here + 2);
      header.children.push_back({"ipv6.fraghdr.reserved_octet", "Reserved octet", hex_value(frame[here + 1], 2), "",
                                 here + 1, 1, {}});
      header.children.push_back({"ipv6.fraghdr.offset", "Offset", std::to_string(offset_flags >> 3),
                                 std::to_string((offset_flags >> 3) * 8) + " bytes", here + 2, 2, {}});
      header.children.push_back({"ipv6.fraghdr.reserved_bits", "Reserved bits", std::to_string(offset_flags >> 1 & 3),
                                 "", here + 2, 2, {}});
      header.children.push_back({"ipv6.fraghdr.more", "More Fragments", std::to_string(offset_flags & 1), "", here + 2,
                                 2, {}});
      header.children.push_back({"ipv6.fraghdr.ident", "Identification", hex_value(read_be32(frame, here + 4), 8), "",
                                 here + 4, 4, {}});
      fragmented = true;
      fragment_offset = std::size_t(offset_flags >> 3) * 8;
      later_fragment = fragment_offset != 0;
    } else {
      header.children.push_back({prefix + ".len", "Length", std::to_string(frame[here + 1]), "", here + 1, 1, {}});
      header.children.push_back({prefix + ".len_oct", "Length (bytes)", std::to_string(len), "", here + 1, 1, {}});
      if (next == 43) {
        header.children.push_back({"ipv6.routing.type", "Type", std::to_string(frame[here + 2]), "", here + 2, 1, {}});
        header.children.push_back({"ipv6.routing.segleft", "Segments Left", std::to_string(frame[here + 3]), "",
                                   here + 3, 1, {}});
      } else {
        add_options(header, frame, here + 2, here + len);
      }
    }
    add(out, std::move(header));
    here += len;
    next = following;
  }
  out.layers.back().length = here - at;
  std::size_t len = end - here;
  if (later_fragment) { // not reassembled here: the payload is shown as it is
    if (!quoted) out.info = "IPv6 fragment (off=" + std::to_string(fragment_offset) + " nxt=" + std::to_string(next) + ")";
    return decode_data(out, frame, here, len);
  }
  internet_checksum addresses;
  addresses.add(frame.subspan(at + 8, 32));
  // A first fragment's checksum covers data not here. (A quoted datagram is checked when
  // it is quoted whole, as over IPv4.)
  bool verifiable = !fragmented;
  switch (next) {
    case 58: return decode_icmpv6(out, frame, here, len, addresses, quoted, verifiable);
    case 17: return decode_udp(out, frame, here, len, {addresses, quoted, verifiable});
    case 6: return decode_tcp(out, frame, here, len, {addresses, quoted, verifiable});
    case 59: return;
    default: return decode_data(out, frame, here, len);
  }
}

} // namespace etherbeam::apps::decoder::detail
