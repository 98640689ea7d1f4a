#include "apps/decoder/field_notes.hpp"

#include <algorithm>
#include <array>

namespace etherbeam::apps::decoder {

namespace {

constexpr std::array notes{
  field_note{"eth.dst", "who on the link the frame is for; ff:ff:ff:ff:ff:ff is everyone", "IEEE 802.3 §3.2.4"},
  field_note{"eth.src", "who on the link sent it", "IEEE 802.3 §3.2.5"},
  field_note{"eth.type", "which protocol the payload is (0x0800 IPv4, 0x0806 ARP, 0x8100 a VLAN tag follows)", "IEEE 802.3 §3.2.6"},
  field_note{"sll.pkttype", "which way the frame went: 0 to this host, 1 broadcast, 2 multicast, 3 to another host, 4 sent by this host", "packet(7) sll_pkttype; tcpdump.org LINKTYPE_LINUX_SLL"},
  field_note{"sll.hatype", "the kind of interface it crossed (1 Ethernet, 772 loopback, 65534 a tun with no link header)", "linux/if_arp.h ARPHRD_*; tcpdump.org LINKTYPE_LINUX_SLL"},
  field_note{"sll.halen", "bytes in the link address that follows", "tcpdump.org LINKTYPE_LINUX_SLL"},
  field_note{"sll.src.eth", "the sender's MAC on the interface it crossed (ours, for a frame we sent)", "tcpdump.org LINKTYPE_LINUX_SLL"},
  field_note{"sll.src.other", "the sender's link address, of a kind that is not a MAC", "tcpdump.org LINKTYPE_LINUX_SLL"},
  field_note{"sll.unused", "the rest of the 8-byte address field; a cooked header keeps no destination address", "tcpdump.org LINKTYPE_LINUX_SLL"},
  field_note{"sll.etype", "which protocol the payload is, as an Ethernet type (0x0800 IPv4, 0x0806 ARP)", "tcpdump.org LINKTYPE_LINUX_SLL"},
  field_note{"sll.ltype", "a Linux protocol number below 0x0600 (4: 802.2 LLC) where no Ethernet type applies", "tcpdump.org LINKTYPE_LINUX_SLL"},
  field_note{"sll.ifindex", "the number of the interface it crossed (ip link shows it)", "tcpdump.org LINKTYPE_LINUX_SLL2"},
  field_note{"vlan.priority", "the frame's class of service, 0 (best effort) to 7", "IEEE 802.1Q §6.9.3"},
  field_note{"vlan.dei", "may be dropped first under congestion", "IEEE 802.1Q §6.9.3"},
  field_note{"vlan.id", "which virtual LAN the frame belongs to", "IEEE 802.1Q §6.9.3"},
  field_note{"vlan.etype", "the protocol after the tag", "IEEE 802.1Q §6.9.1"},
  field_note{"arp.hw.type", "the link's kind of address (1: Ethernet)", "RFC 826"},
  field_note{"arp.proto.type", "the protocol whose address is asked for (0x0800: IPv4)", "RFC 826"},
  field_note{"arp.hw.size", "bytes in a link address", "RFC 826"},
  field_note{"arp.proto.size", "bytes in a protocol address", "RFC 826"},
  field_note{"arp.opcode", "1: who has this address?  2: I have it", "RFC 826"},
  field_note{"arp.src.hw_mac", "the asker's or answerer's MAC, which receivers may learn", "RFC 826"},
  field_note{"arp.src.proto_ipv4", "the sender's IPv4 address (equal to the target in an announcement)", "RFC 826, RFC 5227 §2.3"},
  field_note{"arp.dst.hw_mac", "the MAC of the host asked for (zero in a request)", "RFC 826"},
  field_note{"arp.dst.proto_ipv4", "the address whose owner is asked for", "RFC 826"},
  field_note{"ip.version", "4 for IPv4", "RFC 791 §3.1"},
  field_note{"ip.hdr_len", "the header's size, options included (in 4-byte words on the wire)", "RFC 791 §3.1"},
  field_note{"ip.dsfield", "the packet's traffic class: DSCP for queueing, ECN for congestion marks", "RFC 2474, RFC 3168"},
  field_note{"ip.len", "the datagram's size, header and data", "RFC 791 §3.1"},
  field_note{"ip.id", "ties the fragments of one datagram together", "RFC 791 §3.2, RFC 6864"},
  field_note{"ip.flags", "DF: do not fragment (path MTU discovery); MF: more fragments follow", "RFC 791 §3.1, RFC 1191"},
  field_note{"ip.frag_offset", "where this fragment's data goes in the datagram", "RFC 791 §3.2"},
  field_note{"ip.ttl", "hops left; each router lowers it and drops the packet at zero (traceroute's trick)", "RFC 791 §3.1, RFC 1812 §5.3.1"},
  field_note{"ip.proto", "the protocol of the data (1 ICMP, 6 TCP, 17 UDP)", "RFC 791 §3.1"},
  field_note{"ip.checksum", "the header's one's-complement sum; a router updates it when it lowers the TTL", "RFC 791 §3.1, RFC 1071, RFC 1624"},
  field_note{"ip.src", "the sender's address", "RFC 791 §3.1"},
  field_note{"ip.dst", "the address the datagram is for", "RFC 791 §3.1"},
  field_note{"ip.opt.type", "an option: its copy flag, class and number in one byte", "RFC 791 §3.1"},
  field_note{"icmp.type", "what the message is: 8 echo request, 0 echo reply, 3 unreachable, 11 time exceeded", "RFC 792"},
  field_note{"icmp.code", "the type's detail: for 3, why the destination is unreachable", "RFC 792, RFC 1812 §5.2.7.1"},
  field_note{"icmp.checksum", "the sum over the whole ICMP message", "RFC 792"},
  field_note{"icmp.ident", "matches replies to the pinging process (and is NAT's port for echo)", "RFC 792, RFC 3022"},
  field_note{"icmp.seq", "counts the echo requests, so each reply finds its request", "RFC 792"},
  field_note{"icmp.mtu", "the largest datagram the next hop takes: path MTU discovery's answer", "RFC 1191 §4"},
  field_note{"udp.srcport", "the sender's port, where an answer goes", "RFC 768"},
  field_note{"udp.dstport", "which service the datagram is for (67 a DHCP server, 68 a DHCP client)", "RFC 768"},
  field_note{"udp.length", "the header and data in bytes", "RFC 768"},
  field_note{"udp.checksum", "the sum over a pseudo-header, the header and the data; 0 means none", "RFC 768"},
  field_note{"tcp.srcport", "the sender's port", "RFC 9293 §3.1"},
  field_note{"tcp.dstport", "the receiving service's port", "RFC 9293 §3.1"},
  field_note{"tcp.seq_raw", "the number of the segment's first data byte (SYN takes one)", "RFC 9293 §3.4"},
  field_note{"tcp.ack_raw", "the next byte expected from the other side, when ACK is set", "RFC 9293 §3.4"},
  field_note{"tcp.hdr_len", "where the data starts: header and options", "RFC 9293 §3.1"},
  field_note{"tcp.flags", "SYN opens, FIN closes, RST aborts, ACK acknowledges, PSH pushes", "RFC 9293 §3.1"},
  field_note{"tcp.window_size_value", "how many bytes the sender can still take (scaled by the window scale option)", "RFC 9293 §3.8.6, RFC 7323"},
  field_note{"tcp.checksum", "the sum over a pseudo-header, the header and the data", "RFC 9293 §3.1"},
  field_note{"tcp.urgent_pointer", "where urgent data ends, when URG is set", "RFC 9293 §3.1"},
  field_note{"tcp.option_kind", "an option: MSS (2), window scale (3), SACK (4, 5), timestamps (8)", "RFC 9293 §3.2, RFC 7323"},
  field_note{"dhcp.type", "1: from a client (BOOTREQUEST); 2: from a server (BOOTREPLY)", "RFC 2131 §2"},
  field_note{"dhcp.hw.type", "the client's link type (1: Ethernet)", "RFC 2131 §2"},
  field_note{"dhcp.hops", "relay agents crossed", "RFC 2131 §2"},
  field_note{"dhcp.id", "the transaction ID: ties the server's answers to the client's request", "RFC 2131 §2"},
  field_note{"dhcp.secs", "seconds since the client began", "RFC 2131 §2"},
  field_note{"dhcp.flags", "the broadcast bit: the client cannot take unicast before it has an address", "RFC 2131 §2, §4.1"},
  field_note{"dhcp.ip.client", "ciaddr: the client's address, when it already has one (renewing)", "RFC 2131 §2"},
  field_note{"dhcp.ip.your", "yiaddr: the address the server offers or confirms", "RFC 2131 §2"},
  field_note{"dhcp.ip.server", "siaddr: the next server (boot)", "RFC 2131 §2"},
  field_note{"dhcp.ip.relay", "giaddr: the relay agent the message came through", "RFC 2131 §2"},
  field_note{"dhcp.hw.mac_addr", "chaddr: the client's MAC, which the lease is for", "RFC 2131 §2"},
  field_note{"dhcp.cookie", "99.130.83.99: DHCP options follow, not BOOTP's vendor area", "RFC 2131 §3, RFC 1497"},
  field_note{"dhcp.option.type", "an option's code; its name and value follow", "RFC 2132"},
  field_note{"dhcp.option.dhcp", "the DHCP message type: DISCOVER, OFFER, REQUEST, ACK…", "RFC 2132 §9.6"},
  field_note{"dhcp.option.requested_ip_address", "the address the client asks for", "RFC 2132 §9.1"},
  field_note{"dhcp.option.ip_address_lease_time", "how long the address is the client's, in seconds", "RFC 2132 §9.2"},
  field_note{"dhcp.option.dhcp_server_id", "which server the client chose (REQUEST) or who answers", "RFC 2132 §9.7"},
  field_note{"dhcp.option.request_list_item", "an option the client wants in the answer", "RFC 2132 §9.8"},
  field_note{"dhcp.option.subnet_mask", "the client's subnet", "RFC 2132 §3.3"},
  field_note{"dhcp.option.router", "the default gateway", "RFC 2132 §3.5"},
  field_note{"dhcp.option.domain_name_server", "DNS servers", "RFC 2132 §3.8"},
};

} // namespace

const field_note* note_for(std::string_view field) {
  auto it = std::find_if(notes.begin(), notes.end(), [&](const field_note& n) { return n.field == field; });
  return it == notes.end() ? nullptr : &*it;
}

} // namespace etherbeam::apps::decoder
