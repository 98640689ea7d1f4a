// The link headers of captures that are not Ethernet's: Linux's cooked
// headers, which `tcpdump -i any` writes because the interfaces it listens on
// have different link headers (or none), and raw IP, which a tun device gives.
// Field names as Wireshark's (packet-sll.c); layouts from tcpdump.org's
// LINKTYPE_LINUX_SLL and LINKTYPE_LINUX_SLL2 pages.
#include "apps/decoder/frame_decoder.hpp"

#include "protocols/addresses.hpp"

namespace etherbeam::apps::decoder::detail {

using namespace protocols;

namespace {

std::string packet_type_meaning(unsigned type) {
  switch (type) {
    case 0: return "Unicast to us";
    case 1: return "Broadcast";
    case 2: return "Multicast";
    case 3: return "Unicast to another host";
    case 4: return "Sent by us";
    default: return "";
  }
}

// The ARPHRD_ values (linux/if_arp.h) an "any" capture meets most.
std::string address_type_meaning(unsigned type) {
  switch (type) {
    case 1: return "Ethernet";
    case 768: return "IPIP tunnel";
    case 772: return "Loopback";
    case 776: return "IPv6-in-IPv4 (sit)";
    case 778: return "GRE over IP";
    case 65534: return "zero header length"; // tun devices, WireGuard
    default: return "";
  }
}

// Below 0x0600 the protocol field holds Linux's own protocol numbers, not an EtherType.
std::string linux_protocol_meaning(unsigned protocol) {
  switch (protocol) {
    case 0x0001: return "Novell 802.3 without 802.2 LLC";
    case 0x0004: return "802.2 LLC";
    case 0x0007: return "PPP HDLC";
    default: return "";
  }
}

} // namespace

void decode_linux_sll(decoded_frame& out, byte_view frame, bool version_2) {
  const std::size_t header = version_2 ? 20 : 16;
  out.layers.push_back({"sll", version_2 ? "Linux cooked capture v2" : "Linux cooked capture v1", 0,
                        std::min(frame.size(), header), {}});
  if (frame.size() < header) {
    malformed(out, "sll", "", 0, std::string("a Linux cooked capture v") + (version_2 ? "2" : "1") + " header is " +
                                     std::to_string(header) + " bytes; the frame has " + std::to_string(frame.size()));
    return;
  }
  // v1: packet type, address type, address length, address (8), protocol.
  // v2: protocol, reserved, interface index, address type, packet type, address length, address (8).
  std::size_t protocol_at = version_2 ? 0 : 14, type_at = version_2 ? 10 : 0, hatype_at = version_2 ? 8 : 2;
  std::size_t halen_at = version_2 ? 11 : 4, address_at = version_2 ? 12 : 6;
  unsigned packet_type = version_2 ? frame[type_at] : read_be16(frame, type_at);
  unsigned address_type = read_be16(frame, hatype_at);
  unsigned address_length = version_2 ? frame[halen_at] : read_be16(frame, halen_at);
  auto protocol = read_be16(frame, protocol_at);
  auto add_protocol = [&] {
    if (protocol >= 0x0600) add(out, {"sll.etype", "Protocol", hex_value(protocol, 4), ethertype_name(protocol), protocol_at, 2, {}});
    else add(out, {"sll.ltype", "Protocol", hex_value(protocol, 4), linux_protocol_meaning(protocol), protocol_at, 2, {}});
  };
  if (version_2) {
    add_protocol();
    add(out, {"sll.ifindex", "Interface index", std::to_string(read_be32(frame, 4)), "", 4, 4, {}});
  }
  add(out, {"sll.pkttype", "Packet type", std::to_string(packet_type), packet_type_meaning(packet_type), type_at,
            version_2 ? 1u : 2u, {}});
  add(out, {"sll.hatype", "Link-layer address type", std::to_string(address_type), address_type_meaning(address_type),
            hatype_at, 2, {}});
  add(out, {"sll.halen", "Link-layer address length", std::to_string(address_length), "", halen_at,
            version_2 ? 1u : 2u, {}});
  std::size_t shown = 0;
  if (address_length == 6) {
    auto source = mac_address::read(frame, address_at);
    out.source = source.to_string();
    add(out, {"sll.src.eth", "Source", out.source, "", address_at, 6, {}});
    shown = 6;
  } else if (address_length > 0) {
    shown = std::min<std::size_t>(address_length, 8);
    add(out, {"sll.src.other", "Source", colon_hex(frame.subspan(address_at, shown)), "", address_at, shown, {}});
  }
  if (shown < 8) add(out, {"sll.unused", "Unused", colon_hex(frame.subspan(address_at + shown, 8 - shown)), "",
                           address_at + shown, 8 - shown, {}});
  if (!version_2) add_protocol();
  out.protocol = "SLL";
  if (protocol >= 0x0600) decode_ethertype(out, frame, header, protocol);
  else decode_data(out, frame, header, frame.size() - header);
}

void decode_raw_ip(decoded_frame& out, byte_view frame) {
  out.layers.push_back({"raw", "Raw packet data", 0, 0, {}});
  out.protocol = "Raw";
  if (frame.empty()) {
    malformed(out, "raw", "", 0, "a raw IP packet has at least a version; the frame is empty");
    return;
  }
  auto version = frame[0] >> 4;
  if (version == 4) return decode_ipv4(out, frame, 0);
  if (version == 6) return decode_ipv6(out, frame, 0);
  malformed(out, "raw", "", 0, "a raw IP packet starts with version 4 or 6; this one says " + std::to_string(version));
  decode_data(out, frame, 0, frame.size());
}

} // namespace etherbeam::apps::decoder::detail
