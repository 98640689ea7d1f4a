// UDP (RFC 768) and TCP (RFC 9293) for the decoder.
#include "apps/decoder/frame_decoder.hpp"

#include "protocols/checksum.hpp"
#include "protocols/tcp.hpp"

namespace etherbeam::apps::decoder::detail {

using namespace protocols;

namespace {

// The checksum over the pseudo-header and `segment` with its checksum field
// (at `field`) taken as zero; and whether the wire value is only the
// pseudo-header's sum, as a sender using checksum offload leaves it.
struct transport_checksum {
  std::uint16_t right;
  bool partial;
};

// (IPv6's pseudo-header holds the length in 32 bits and the next header in
// the low byte of another 32: the same 16-bit words for any length IPv4 allows.)
transport_checksum checksum_of(byte_view segment, std::size_t field, std::uint8_t protocol,
                               const internet_checksum& addresses) {
  internet_checksum pseudo = addresses;
  pseudo.add_u16(protocol).add_u32(static_cast<std::uint32_t>(segment.size()));
  internet_checksum sum = pseudo;
  sum.add(segment.first(field));
  sum.add(segment.subspan(field + 2));
  auto right = sum.value();
  if (protocol == 17 && right == 0) right = 0xffff; // RFC 768: zero means "none"
  auto wire = read_be16(segment, field);
  return {right, wire != right && wire == static_cast<std::uint16_t>(~pseudo.value())};
}

std::string port_service(std::uint16_t port) {
  switch (port) {
    case 53: return "domain";
    case 67: return "bootps";
    case 68: return "bootpc";
    case 80: return "http";
    case 123: return "ntp";
    case 443: return "https";
    default: return "";
  }
}

// The two ports UDP and TCP both start with, and the layer's title naming them.
std::pair<std::uint16_t, std::uint16_t> add_ports(decoded_frame& out, const std::string& proto, byte_view bytes,
                                                  std::size_t at) {
  auto sport = read_be16(bytes, 0), dport = read_be16(bytes, 2);
  out.layers.back().title += ", Src Port: " + std::to_string(sport) + ", Dst Port: " + std::to_string(dport);
  add(out, {proto + ".srcport", "Source Port", std::to_string(sport), port_service(sport), at, 2, {}});
  add(out, {proto + ".dstport", "Destination Port", std::to_string(dport), port_service(dport), at + 2, 2, {}});
  return {sport, dport};
}

} // namespace

void decode_udp(decoded_frame& out, byte_view frame, std::size_t at, std::size_t len, const transport_context& c) {
  bool checksum_known = !c.quoted;
  out.layers.push_back({"udp", "User Datagram Protocol", at, std::min<std::size_t>(len, 8), {}});
  if (len < 8) return malformed(out, "udp", "", at, "a UDP header is 8 bytes; " + std::to_string(len) + " remain");
  auto bytes = frame.subspan(at, len);
  auto [sport, dport] = add_ports(out, "udp", bytes, at);
  std::size_t length = read_be16(bytes, 4);
  add(out, {"udp.length", "Length", std::to_string(length), "", at + 4, 2, {}});
  if (checksum_known) {
    out.protocol = "UDP";
    out.info = std::to_string(sport) + " → " + std::to_string(dport) + " Len=" + std::to_string(length >= 8 ? length - 8 : 0);
  }
  if (checksum_known && (length < 8 || length > len))
    return malformed(out, "udp", "udp.length", at + 4, "the length says " + std::to_string(length) + " bytes; " +
                                                         (length < 8 ? "the least is 8" : std::to_string(len) + " remain"));
  std::size_t datagram = checksum_known ? length : len;
  auto wire = read_be16(bytes, 6);
  if (wire == 0) {
    add(out, {"udp.checksum", "Checksum", "0x0000", "none (RFC 768: the sender computed none)", at + 6, 2, {}});
    add(out, {"udp.checksum.status", "Checksum status", "3", "Not present", at + 6, 2, {}});
  } else if (c.verifiable && (checksum_known || (length >= 8 && length <= len))) { // quoted whole: checkable too
    auto sum = checksum_of(bytes.first(checksum_known ? datagram : length), 6, 17, c.addresses);
    add_checksum(out, "udp", wire, sum.right, at + 6, sum.partial);
  } else {
    add_checksum(out, "udp", wire, std::nullopt, at + 6);
  }
  if (!checksum_known) return; // a datagram quoted by an ICMP error: its first 8 bytes only
  if ((sport == 67 || sport == 68) && (dport == 67 || dport == 68))
    return decode_dhcp(out, frame, at + 8, datagram - 8);
  decode_data(out, frame, at + 8, datagram - 8);
}

namespace {

std::string flag_names(std::uint16_t flags) {
  static const char* names[] = {"FIN", "SYN", "RST", "PSH", "ACK", "URG", "ECE", "CWR", "AE"};
  std::string out;
  for (int i = 8; i >= 0; --i)
    if (flags & (1 << i)) out += (out.empty() ? "" : ", ") + std::string(names[i]);
  return out;
}

void decode_tcp_options(decoded_frame& out, byte_view frame, std::size_t at, std::size_t end) {
  while (at < end) {
    auto kind = frame[at];
    if (kind == 0 || kind == 1) {
      add(out, {"tcp.option_kind", "Kind", std::to_string(kind), kind ? "No-Operation (NOP)" : "End of Option List",
                at, 1, {}});
      ++at;
      if (kind == 0) break;
      continue;
    }
    if (at + 1 >= end || frame[at + 1] < 2 || at + frame[at + 1] > end)
      return malformed(out, "tcp", "tcp.option_len", at + 1, "option " + std::to_string(kind) + "'s length runs past the header");
    std::size_t len = frame[at + 1];
    field option{"tcp.option_kind", "Kind", std::to_string(kind), "", at, len,
                 {{"tcp.option_len", "Length", std::to_string(len), "", at + 1, 1, {}}}};
    if (kind == 2 && len == 4) {
      option.meaning = "Maximum segment size";
      option.children.push_back({"tcp.options.mss_val", "MSS Value", std::to_string(read_be16(frame, at + 2)), "", at + 2, 2, {}});
    } else if (kind == 3 && len == 3) {
      option.meaning = "Window scale";
      option.children.push_back({"tcp.options.wscale.shift", "Shift count", std::to_string(frame[at + 2]), "", at + 2, 1, {}});
    } else if (kind == 4) {
      option.meaning = "SACK permitted";
    } else if (kind == 5) {
      option.meaning = "SACK";
    } else if (kind == 8 && len == 10) {
      option.meaning = "Timestamps";
      option.children.push_back({"tcp.options.timestamp.tsval", "Timestamp value", std::to_string(read_be32(frame, at + 2)), "", at + 2, 4, {}});
      option.children.push_back({"tcp.options.timestamp.tsecr", "Timestamp echo reply", std::to_string(read_be32(frame, at + 6)), "", at + 6, 4, {}});
    }
    add(out, std::move(option));
    at += len;
  }
}

} // namespace

void decode_tcp(decoded_frame& out, byte_view frame, std::size_t at, std::size_t len, const transport_context& c) {
  bool checksum_known = !c.quoted;
  out.layers.push_back({"tcp", "Transmission Control Protocol", at, std::min<std::size_t>(len, 20), {}});
  if (len < 8) return malformed(out, "tcp", "", at, "a TCP header is at least 20 bytes; " + std::to_string(len) + " remain");
  auto bytes = frame.subspan(at, len);
  auto [sport, dport] = add_ports(out, "tcp", bytes, at);
  add(out, {"tcp.seq_raw", "Sequence Number (raw)", std::to_string(read_be32(bytes, 4)), "", at + 4, 4, {}});
  if (!checksum_known) return; // quoted by an ICMP error: 8 bytes
  if (len < 20) return malformed(out, "tcp", "", at, "a TCP header is at least 20 bytes; " + std::to_string(len) + " remain");
  std::size_t header = std::size_t(bytes[12] >> 4) * 4;
  add(out, {"tcp.ack_raw", "Acknowledgment number (raw)", std::to_string(read_be32(bytes, 8)), "", at + 8, 4, {}});
  add(out, {"tcp.hdr_len", "Header Length", std::to_string(header), std::to_string(header / 4) + " words", at + 12, 1, {}});
  if (header < 20 || header > len)
    return malformed(out, "tcp", "tcp.hdr_len", at + 12, "the header length says " + std::to_string(header) + " bytes; " +
                                                           (header < 20 ? "the least is 20" : std::to_string(len) + " remain"));
  out.layers.back().length = header;
  std::uint16_t flags = read_be16(bytes, 12) & 0x01ff;
  field f{"tcp.flags", "Flags", hex_value(flags, 4), flag_names(flags), at + 12, 2, {}};
  static const std::pair<const char*, const char*> bits[] = {
    {"tcp.flags.ae", "Accurate ECN"}, {"tcp.flags.cwr", "Congestion Window Reduced"}, {"tcp.flags.ece", "ECN-Echo"},
    {"tcp.flags.urg", "Urgent"}, {"tcp.flags.ack", "Acknowledgment"}, {"tcp.flags.push", "Push"},
    {"tcp.flags.reset", "Reset"}, {"tcp.flags.syn", "Syn"}, {"tcp.flags.fin", "Fin"}};
  for (int i = 0; i < 9; ++i)
    f.children.push_back({bits[i].first, bits[i].second, std::to_string(flags >> (8 - i) & 1), "", at + 12, 2, {}});
  add(out, std::move(f));
  add(out, {"tcp.window_size_value", "Window", std::to_string(read_be16(bytes, 14)), "", at + 14, 2, {}});
  if (c.verifiable) {
    auto sum = checksum_of(bytes, 16, 6, c.addresses);
    add_checksum(out, "tcp", read_be16(bytes, 16), sum.right, at + 16, sum.partial);
  } else {
    add_checksum(out, "tcp", read_be16(bytes, 16), std::nullopt, at + 16);
  }
  add(out, {"tcp.urgent_pointer", "Urgent Pointer", std::to_string(read_be16(bytes, 18)), "", at + 18, 2, {}});
  decode_tcp_options(out, frame, at + 20, at + header);
  out.protocol = "TCP";
  out.info = std::to_string(sport) + " → " + std::to_string(dport) + " [" + flag_names(flags) + "] Seq=" +
             std::to_string(read_be32(bytes, 4)) + " Win=" + std::to_string(read_be16(bytes, 14)) +
             " Len=" + std::to_string(len - header);
  decode_data(out, frame, at + header, len - header);
}

} // namespace etherbeam::apps::decoder::detail
