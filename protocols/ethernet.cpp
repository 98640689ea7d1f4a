#include "protocols/ethernet.hpp"

namespace etherbeam::protocols {

namespace {
bool is_vlan_tpid(std::uint16_t t) { return t == ethertype::vlan || t == ethertype::qinq; }
} // namespace

parsed<ethernet_frame> ethernet_frame::check(byte_view frame) {
  if (frame.size() < base_header_len) return parse_error::truncated;
  std::size_t tags = 0;
  using namespace ethernet_field;
  while (is_vlan_tpid(read_be16(frame, first_tag_or_ethertype + tag_len * tags))) {
    if (tags == max_vlan_tags) return parse_error::too_many_vlan_tags;
    ++tags;
    if (frame.size() < base_header_len + tag_len * tags) return parse_error::truncated;
  }
  return ethernet_frame{frame, tags};
}

vlan_tag ethernet_frame::vlan(std::size_t i) const {
  using namespace ethernet_field;
  auto at = first_tag_or_ethertype + tag_len * i;
  return {read_be16(bytes_, at + tag_tpid), read_be16(bytes_, at + tag_tci)};
}

ethernet_repr ethernet_repr::parse(const ethernet_frame& frame) {
  ethernet_repr r;
  r.destination = frame.destination();
  r.source = frame.source();
  r.vlan_count = frame.vlan_count();
  for (std::size_t i = 0; i < r.vlan_count; ++i) r.vlans[i] = frame.vlan(i);
  r.ethertype = frame.ethertype();
  return r;
}

void ethernet_repr::emit(byte_buffer out) const {
  using namespace ethernet_field;
  destination.write(out, ethernet_field::destination);
  source.write(out, ethernet_field::source);
  std::size_t at = first_tag_or_ethertype;
  for (std::size_t i = 0; i < vlan_count; ++i, at += tag_len) {
    write_be16(out, at + tag_tpid, vlans[i].tpid);
    write_be16(out, at + tag_tci, vlans[i].tci);
  }
  write_be16(out, at, ethertype);
}

} // namespace etherbeam::protocols
