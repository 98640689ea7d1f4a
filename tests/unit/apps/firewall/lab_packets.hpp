#pragma once
// Real packets for the firewall's tests: the lab's TCP connection (SYN,
// SYN-ACK, ACK, data, FINs: tests/data/lab_tcp_super_frames.pcap) and its
// ping and UDP (lab_ping_arp_udp.pcap), as IPv4 packets with every checksum
// made whole (the capture holds the sender's offloaded, partial ones).
#include <vector>

#include "apps/firewall/flow_judge.hpp"
#include "apps/firewall/packet_facts.hpp"
#include "protocols/checksum.hpp"
#include "tests/unit/pcap_frames.hpp"
#include "tests/unit/test_values.hpp"

namespace etherbeam::firewall_test {

using packet = std::vector<std::uint8_t>;

inline std::uint16_t transport_checksum(const packet& p) {
  std::size_t header = std::size_t(p[0] & 0x0f) * 4;
  std::span<const std::uint8_t> l4(p.data() + header, p.size() - header);
  protocols::internet_checksum sum;
  if (p[9] != protocols::ip_protocol::icmp)
    sum.add(std::span<const std::uint8_t>(p.data() + 12, 8)).add_u16(p[9]).add_u16(static_cast<std::uint16_t>(l4.size()));
  sum.add(l4);
  return sum.value();
}

inline std::size_t checksum_at(const packet& p) {
  std::size_t header = std::size_t(p[0] & 0x0f) * 4;
  return header + (p[9] == protocols::ip_protocol::tcp ? 16 : p[9] == protocols::ip_protocol::udp ? 6 : 2);
}

// Both checksums recomputed from scratch.
inline void make_whole(packet& p) {
  std::size_t header = std::size_t(p[0] & 0x0f) * 4;
  p[10] = p[11] = 0;
  protocols::write_be16(p, 10, protocols::checksum_of(std::span<const std::uint8_t>(p.data(), header)));
  auto at = checksum_at(p);
  p[at] = p[at + 1] = 0;
  protocols::write_be16(p, at, transport_checksum(p));
}

// Whether the header and transport checksums verify.
inline bool checksums_verify(const packet& p) {
  std::size_t header = std::size_t(p[0] & 0x0f) * 4;
  return protocols::checksum_of(std::span<const std::uint8_t>(p.data(), header)) == 0 && transport_checksum(p) == 0;
}

using etherbeam::testing::ip;

// Where the tests' router sends a packet: to itself (192.0.2.1, 10.77.0.2), out
// `lan` (link 0) for 10.77.0.0/24, out `wan` (link 1, etherbeam 192.0.2.1) otherwise.
inline apps::firewall::packet_path lab_route(protocols::ipv4_address a) {
  if (a == ip("192.0.2.1") || a == ip("10.77.0.2")) return {true, std::nullopt, {}};
  if ((a.value >> 8) == (ip("10.77.0.0").value >> 8)) return {false, 0, ip("10.77.0.2")};
  return {false, 1, ip("192.0.2.1")};
}

inline std::vector<packet> lab_packets(const char* pcap) {
  std::vector<packet> out;
  for (auto& f : test_frames::pcap_frames(pcap)) {
    if (f.size() < 34 || f[12] != 0x08 || f[13] != 0x00) continue;
    packet p(f.begin() + 14, f.end());
    p.resize(protocols::read_be16(p, 2));
    if ((protocols::read_be16(p, 6) & 0x3fff) == 0) make_whole(p); // fragments keep theirs
    out.push_back(std::move(p));
  }
  return out;
}

// An ICMP port unreachable from `from` to `to` quoting `quoted`'s header and 8 bytes.
inline packet port_unreachable(protocols::ipv4_address from, protocols::ipv4_address to, const packet& quoted) {
  packet error(28, 0);
  error[0] = 0x45;
  error[8] = 64;
  error[9] = protocols::ip_protocol::icmp;
  from.write(error, 12);
  to.write(error, 16);
  error[20] = 3; // destination unreachable
  error[21] = 3; // port
  error.insert(error.end(), quoted.begin(), quoted.begin() + 28);
  protocols::write_be16(error, 2, static_cast<std::uint16_t>(error.size()));
  make_whole(error);
  return error;
}

inline apps::firewall::packet_facts facts_of(const packet& p) {
  return *apps::firewall::read_packet_facts(*protocols::ipv4_packet::check(std::span<const std::uint8_t>(p)));
}

} // namespace etherbeam::firewall_test
