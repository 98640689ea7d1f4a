#include "protocols/parse_result.hpp"

namespace etherbeam::protocols {

std::string_view to_string(parse_error e) {
  switch (e) {
    case parse_error::truncated: return "truncated";
    case parse_error::bad_length: return "bad_length";
    case parse_error::bad_checksum: return "bad_checksum";
    case parse_error::unsupported_version: return "unsupported_version";
    case parse_error::unsupported_hardware: return "unsupported_hardware";
    case parse_error::unsupported_protocol: return "unsupported_protocol";
    case parse_error::bad_operation: return "bad_operation";
    case parse_error::too_many_vlan_tags: return "too_many_vlan_tags";
    case parse_error::bad_magic_cookie: return "bad_magic_cookie";
    case parse_error::bad_option_length: return "bad_option_length";
    case parse_error::bad_overload: return "bad_overload";
    case parse_error::not_dhcp: return "not_dhcp";
    case parse_error::bad_message_type: return "bad_message_type";
    case parse_error::count_: break;
  }
  return "unknown";
}

} // namespace etherbeam::protocols
