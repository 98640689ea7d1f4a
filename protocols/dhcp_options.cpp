#include "protocols/dhcp_options.hpp"

#include <algorithm>

namespace etherbeam::protocols {

namespace {

bool lengths_fit(byte_view area) {
  std::size_t i = 0;
  while (i < area.size() && area[i] != dhcp_option_code::end) {
    if (area[i] == dhcp_option_code::pad) {
      ++i;
      continue;
    }
    if (i + 1 >= area.size() || i + 2 + area[i + 1] > area.size()) return false;
    i += 2 + area[i + 1];
  }
  return true;
}

} // namespace

parsed<dhcp_option_areas> dhcp_option_areas::check(byte_view options, byte_view file,
                                                   byte_view sname) {
  if (!lengths_fit(options)) return parse_error::bad_option_length;
  dhcp_option_areas areas;
  areas.areas_[areas.count_++] = options;
  // Only the options field may say that file and sname carry options (§4.1).
  std::optional<byte_view> overload;
  walk(options, [&](const dhcp_option& o) {
    if (o.code == dhcp_option_code::overload && !overload) overload = o.value;
  });
  if (!overload) return areas;
  if (overload->size() != 1 || (*overload)[0] < 1 || (*overload)[0] > 3)
    return parse_error::bad_overload;
  std::uint8_t which = (*overload)[0];
  areas.overload_ = which;
  if (which & 1) areas.areas_[areas.count_++] = file;
  if (which & 2) areas.areas_[areas.count_++] = sname;
  for (std::size_t a = 1; a < areas.count_; ++a)
    if (!lengths_fit(areas.areas_[a])) return parse_error::bad_option_length;
  return areas;
}

std::optional<byte_view> dhcp_option_areas::first(std::uint8_t code) const {
  std::optional<byte_view> found;
  for_each([&](const dhcp_option& o) {
    if (o.code == code && !found) found = o.value;
  });
  return found;
}

std::optional<byte_view> dhcp_option_areas::joined(std::uint8_t code, byte_buffer out) const {
  std::size_t used = 0;
  bool present = false, fits = true;
  for_each([&](const dhcp_option& o) {
    if (o.code != code) return;
    present = true;
    if (used + o.value.size() > out.size()) {
      fits = false;
      return;
    }
    std::copy(o.value.begin(), o.value.end(), out.begin() + static_cast<std::ptrdiff_t>(used));
    used += o.value.size();
  });
  if (!present || !fits) return std::nullopt;
  return byte_view{out.first(used)};
}

} // namespace etherbeam::protocols
