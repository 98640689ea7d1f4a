#pragma once
// A frame decoded for a person: its layers, and in each every field with
// Wireshark's name for it, its value as Wireshark's JSON writes it, what it
// means, and where it lies in the frame. What the views (text_view, json_view)
// render; built by decode_frame (frame_decoder.hpp). Pure.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "protocols/addresses.hpp"
#include "protocols/bytes.hpp"

namespace etherbeam::apps::decoder {

struct field {
  std::string name;    // Wireshark's: "ip.ttl", "dhcp.option.dhcp"
  std::string label;   // "Time to Live"
  std::string value;   // as Wireshark's JSON gives it: "64", "0x02", "ce:89:d7:ed:bc:38"
  std::string meaning; // what the value says, when the value alone does not: "Don't Fragment"
  std::size_t offset = 0, length = 0; // its bytes in the frame (a bit field: the bytes holding it)
  std::vector<field> children;        // a flags word's flags, an option's parts
};

struct layer {
  std::string name;  // Wireshark's protocol name: eth, vlan, arp, ip, icmp, udp, tcp, dhcp, data
  std::string title; // "Internet Protocol Version 4, Src: 10.77.0.1, Dst: 10.77.0.2"
  std::size_t offset = 0, length = 0;
  std::vector<field> fields;
};

// Why a frame could not be decoded further, from the parsers' own reasons.
struct malformation {
  std::string layer;  // where decoding stopped: "ip"
  std::string field;  // the field at fault, when one is: "ip.hdr_len"
  std::size_t offset = 0;
  std::string why;    // "the header length says 24 bytes; 20 remain"
};

struct decoded_frame {
  std::size_t length = 0;
  std::vector<layer> layers;
  std::optional<malformation> malformed;
  // tshark's one-line columns
  std::string source, destination, protocol, info;
};

// How values are written, as Wireshark's JSON writes them.
std::string hex_value(std::uint64_t v, int digits); // "0x0800"
std::string colon_hex(protocols::byte_view bytes);  // "01:02:ff"

} // namespace etherbeam::apps::decoder
