#pragma once
// Ethernet II with up to two stacked VLAN tags (802.1Q, and 802.1ad outer tags).
#include <array>
#include <cstdint>

#include "protocols/addresses.hpp"
#include "protocols/parse_result.hpp"

namespace etherbeam::protocols {

namespace ethertype {
inline constexpr std::uint16_t ipv4 = 0x0800;
inline constexpr std::uint16_t arp = 0x0806;
inline constexpr std::uint16_t vlan = 0x8100;     // 802.1Q customer tag
inline constexpr std::uint16_t qinq = 0x88a8;     // 802.1ad service tag
inline constexpr std::uint16_t ipv6 = 0x86dd;
// Values below this are 802.3 length fields, not EtherTypes (IEEE 802.3 §3.2.6).
inline constexpr std::uint16_t min_ethertype = 0x0600;
} // namespace ethertype

struct vlan_tag {
  std::uint16_t tpid = ethertype::vlan;
  std::uint16_t tci = 0; // priority (3 bits), drop eligible (1), VLAN id (12)
  std::uint16_t vlan_id() const { return tci & 0x0fff; }
  friend bool operator==(const vlan_tag&, const vlan_tag&) = default;
};

inline constexpr std::size_t max_vlan_tags = 2;

// Where each field sits (IEEE 802.3, 802.1Q): the tags, when there are any,
// come where the ethertype would, 4 bytes each, and push it along.
namespace ethernet_field {
inline constexpr std::size_t destination = 0, source = 6, first_tag_or_ethertype = 12, tag_len = 4;
// Within a tag: its TPID, then its TCI.
inline constexpr std::size_t tag_tpid = 0, tag_tci = 2;
} // namespace ethernet_field

// A checked view over a frame: after check() succeeds, every accessor is in bounds.
class ethernet_frame {
public:
  static constexpr std::size_t base_header_len = 14;

  static parsed<ethernet_frame> check(byte_view frame);
  ethernet_frame() = default;

  mac_address destination() const { return mac_address::read(bytes_, ethernet_field::destination); }
  mac_address source() const { return mac_address::read(bytes_, ethernet_field::source); }
  std::size_t vlan_count() const { return vlan_count_; }
  vlan_tag vlan(std::size_t i) const;
  std::uint16_t ethertype() const { return read_be16(bytes_, header_len() - 2); }
  std::size_t header_len() const { return base_header_len + ethernet_field::tag_len * vlan_count_; }
  byte_view payload() const { return bytes_.subspan(header_len()); }

private:
  ethernet_frame(byte_view b, std::size_t tags) : bytes_(b), vlan_count_(tags) {}
  byte_view bytes_;
  std::size_t vlan_count_ = 0;
};

struct ethernet_repr {
  mac_address destination;
  mac_address source;
  std::array<vlan_tag, max_vlan_tags> vlans{};
  std::size_t vlan_count = 0;
  std::uint16_t ethertype = 0;

  static ethernet_repr parse(const ethernet_frame& frame);
  std::size_t header_len() const { return ethernet_frame::base_header_len + 4 * vlan_count; }
  // Writes the header; the caller's buffer must hold at least header_len() bytes.
  void emit(byte_buffer out) const;
};

} // namespace etherbeam::protocols
