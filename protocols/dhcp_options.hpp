#pragma once
// DHCP options (RFC 2132): the codes the server's logic reads or sets (every
// option's name and type: dhcp_option_defs.hpp), and a walk over the option areas of a
// message that follows option overload (option 52) into 'file' and 'sname'
// and joins split long options back together (RFC 3396).
#include <array>
#include <cstdint>
#include <optional>

#include "protocols/bytes.hpp"
#include "protocols/parse_result.hpp"

namespace etherbeam::protocols {

namespace dhcp_option_code {
inline constexpr std::uint8_t pad = 0;
inline constexpr std::uint8_t subnet_mask = 1;
inline constexpr std::uint8_t host_name = 12;
inline constexpr std::uint8_t broadcast_address = 28;
inline constexpr std::uint8_t requested_address = 50;
inline constexpr std::uint8_t lease_time = 51;
inline constexpr std::uint8_t overload = 52;
inline constexpr std::uint8_t message_type = 53;
inline constexpr std::uint8_t tftp_server_name = 66;
inline constexpr std::uint8_t boot_file_name = 67;
inline constexpr std::uint8_t user_class = 77;
inline constexpr std::uint8_t client_system = 93;
inline constexpr std::uint8_t server_identifier = 54;
inline constexpr std::uint8_t parameter_request_list = 55;
inline constexpr std::uint8_t message = 56;
inline constexpr std::uint8_t max_message_size = 57;
inline constexpr std::uint8_t renewal_time = 58;
inline constexpr std::uint8_t rebinding_time = 59;
inline constexpr std::uint8_t vendor_class = 60;
inline constexpr std::uint8_t client_identifier = 61;
inline constexpr std::uint8_t relay_agent_information = 82;
inline constexpr std::uint8_t end = 255;
} // namespace dhcp_option_code

// One option as it stands in a message: its code and its value bytes.
struct dhcp_option {
  std::uint8_t code = 0;
  byte_view value;
};

// The option areas of one message, in the order RFC 2131 §4.1 reads them: the
// options field, then 'file', then 'sname', the latter two only when the
// options field's overload option says they hold options.
class dhcp_option_areas {
public:
  // Refuses an option whose length runs past its area (bad_option_length) and
  // an overload option that is not one byte of 1, 2 or 3 (bad_overload).
  // An area may end without an end option: many clients stop at the buffer.
  static parsed<dhcp_option_areas> check(byte_view options, byte_view file, byte_view sname);
  dhcp_option_areas() = default;

  // Calls f(dhcp_option) for every option but pad and end, in message order.
  template <class F> void for_each(F&& f) const {
    for (std::size_t a = 0; a < count_; ++a) walk(areas_[a], f);
  }
  // The first instance of `code`, if any.
  std::optional<byte_view> first(std::uint8_t code) const;
  // Every instance of `code` joined in order (RFC 3396) into `out`; nullopt
  // when absent or when the joined value does not fit in `out`.
  std::optional<byte_view> joined(std::uint8_t code, byte_buffer out) const;
  // Option 52's value: 1 'file' holds options, 2 'sname' does, 3 both; 0 neither.
  std::uint8_t overload() const { return overload_; }

private:
  // Walks one area already checked: lengths are known to fit.
  template <class F> static void walk(byte_view area, F&& f) {
    std::size_t i = 0;
    while (i < area.size() && area[i] != dhcp_option_code::end) {
      if (area[i] == dhcp_option_code::pad) {
        ++i;
        continue;
      }
      std::size_t len = area[i + 1];
      f(dhcp_option{area[i], area.subspan(i + 2, len)});
      i += 2 + len;
    }
  }

  std::array<byte_view, 3> areas_{};
  std::size_t count_ = 0;
  std::uint8_t overload_ = 0;
};

} // namespace etherbeam::protocols
