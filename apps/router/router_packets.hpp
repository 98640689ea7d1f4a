#pragma once
// What the router's deciders hand its neighbour actors (plain data: the
// deciders stay free of CAF; router_messages.hpp makes these messages).
#include "actors/frame.hpp"
#include "actors/link_index.hpp"
#include "protocols/addresses.hpp"

namespace etherbeam::apps::router {

// An IPv4 packet to send on the neighbour actor's link, TTL already lowered:
// `packet` holds the IP packet only; the link header is the neighbour's to add.
struct routed_packet {
  actors::frame packet;
  protocols::ipv4_address next_hop;
};

// ARP from a neighbour: who has which MAC, heard on which link (the
// neighbour actor's own, or one bridged with it).
struct arp_heard {
  protocols::ipv4_address ip;
  protocols::mac_address mac;
  actors::link_index port = 0;
  bool is_reply = false;
  // Neither an answer to us nor a question to us (a gratuitous ARP, a
  // question to another host): it only updates a neighbour already known.
  bool update_only = false;
};

} // namespace etherbeam::apps::router
