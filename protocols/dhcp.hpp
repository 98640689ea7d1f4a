#pragma once
// DHCPv4 messages (RFC 2131) with the options of RFC 2132 a server needs.
// The view checks the fixed BOOTP header and the magic cookie; the repr holds
// the header fields and the options in host order, in fixed-size storage so
// that parsing never allocates.
#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "protocols/addresses.hpp"
#include "protocols/dhcp_options.hpp"
#include "protocols/parse_result.hpp"

namespace etherbeam::protocols {

inline constexpr std::uint16_t dhcp_server_port = 67;
inline constexpr std::uint16_t dhcp_client_port = 68;

enum class bootp_op : std::uint8_t { request = 1, reply = 2 };

enum class dhcp_message_type : std::uint8_t {
  discover = 1, offer, request, decline, ack, nak, release, inform
};
std::string_view to_string(dhcp_message_type t);

class dhcp_packet {
public:
  static constexpr std::size_t sname_at = 44, sname_len = 64;
  static constexpr std::size_t file_at = 108, file_len = 128;
  static constexpr std::size_t cookie_at = 236;
  static constexpr std::size_t options_at = 240;
  static constexpr std::uint32_t magic_cookie = 0x63825363;
  // RFC 2131 §2: every host must accept 576-byte IP datagrams, so a DHCP
  // message of up to 576 - 20 (IP) - 8 (UDP) bytes always gets through.
  static constexpr std::size_t min_max_message_size = 576 - 28;

  // Checks the length, op, Ethernet hardware (htype 1, hlen 6) and the cookie.
  static parsed<dhcp_packet> check(byte_view udp_payload);
  dhcp_packet() = default;

  std::uint8_t op() const { return bytes_[0]; }
  std::uint8_t hops() const { return bytes_[3]; }
  std::uint32_t transaction_id() const { return read_be32(bytes_, 4); }
  std::uint16_t seconds() const { return read_be16(bytes_, 8); }
  bool broadcast_flag() const { return (read_be16(bytes_, 10) & 0x8000) != 0; }
  ipv4_address client_address() const { return ipv4_address::read(bytes_, 12); } // ciaddr
  ipv4_address your_address() const { return ipv4_address::read(bytes_, 16); }   // yiaddr
  ipv4_address server_address() const { return ipv4_address::read(bytes_, 20); } // siaddr
  ipv4_address relay_address() const { return ipv4_address::read(bytes_, 24); }  // giaddr
  mac_address client_hardware() const { return mac_address::read(bytes_, 28); }  // chaddr
  byte_view sname() const { return bytes_.subspan(sname_at, sname_len); }
  byte_view file() const { return bytes_.subspan(file_at, file_len); }
  byte_view options() const { return bytes_.subspan(options_at); }

private:
  explicit dhcp_packet(byte_view b) : bytes_(b) {}
  byte_view bytes_;
};

// Up to N bytes held by value: an option's raw value.
template <std::size_t N> struct bounded_bytes {
  std::array<std::uint8_t, N> data{};
  std::size_t size = 0;

  byte_view view() const { return {data.data(), size}; }
  std::string_view text() const { return {reinterpret_cast<const char*>(data.data()), size}; }
  bool empty() const { return size == 0; }
  // False (and unchanged) when `bytes` is longer than N.
  bool assign(byte_view bytes);
  bool assign(std::string_view text) {
    return assign(byte_view{reinterpret_cast<const std::uint8_t*>(text.data()), text.size()});
  }
  friend bool operator==(const bounded_bytes& a, const bounded_bytes& b) {
    return a.view().size() == b.view().size() &&
           std::equal(a.view().begin(), a.view().end(), b.view().begin());
  }
};

struct dhcp_repr {
  bootp_op op = bootp_op::request;
  dhcp_message_type message_type = dhcp_message_type::discover;
  std::uint8_t hops = 0;
  std::uint32_t transaction_id = 0;
  std::uint16_t seconds = 0;
  bool broadcast_flag = false;
  ipv4_address client_address; // ciaddr
  ipv4_address your_address;   // yiaddr
  ipv4_address server_address; // siaddr
  ipv4_address relay_address;  // giaddr
  mac_address client_hardware; // chaddr

  // The 'sname' and 'file' header fields as text (netboot: the TFTP server
  // and the boot file), when they do not carry options.
  bounded_bytes<dhcp_packet::sname_len - 1> server_name;
  bounded_bytes<dhcp_packet::file_len - 1> boot_file;

  // The options the server's logic reads or sets; absent (nullopt, empty)
  // when not in the message. Every other option is in `options` below.
  std::optional<ipv4_address> requested_address;
  std::optional<ipv4_address> server_identifier;
  std::optional<ipv4_address> subnet_mask;
  std::optional<std::uint32_t> lease_time; // seconds
  std::optional<std::uint32_t> renewal_time;
  std::optional<std::uint32_t> rebinding_time;
  std::optional<std::uint16_t> max_message_size;
  bounded_bytes<255> client_identifier;
  bounded_bytes<255> parameter_request_list;
  bounded_bytes<255> host_name;
  bounded_bytes<255> vendor_class;  // option 60
  bounded_bytes<255> user_class;    // option 77 (RFC 3004)
  bounded_bytes<255> client_system; // option 93 (RFC 4578): client architectures
  bounded_bytes<255> message;
  // Relay agent information (option 82), kept whole to be echoed (RFC 3046).
  // Joined from up to three options when a relay split it (RFC 3396).
  bounded_bytes<765> relay_agent_information;
  // Emit only: further options by code and value, written in this order after
  // the lease times and subnet mask; values longer than 255 bytes are split
  // (RFC 3396).
  std::span<const dhcp_option> extra_options;

  // Options the parser does not know are skipped, not refused.
  static parsed<dhcp_repr> parse(const dhcp_packet& packet);

  static constexpr std::size_t no_limit = 65535 - 28;
  // Bytes emit() writes with messages of at most `max_len` bytes: header,
  // cookie, options, end, padded to the 300 bytes BOOTP relays expect (RFC
  // 1542 §2.1). Options the options field cannot take go on into 'file' and
  // then 'sname' (option 52, RFC 2132 §9.3) when those carry no netboot
  // names. 0: the message does not fit in `max_len`.
  std::size_t buffer_len(std::size_t max_len = no_limit) const;
  // Writes what buffer_len(max_len) counted; `out` holds at least that.
  std::size_t emit(byte_buffer out, std::size_t max_len = no_limit) const;
};

template <std::size_t N> bool bounded_bytes<N>::assign(byte_view bytes) {
  if (bytes.size() > N) return false;
  std::copy(bytes.begin(), bytes.end(), data.begin());
  size = bytes.size();
  return true;
}

} // namespace etherbeam::protocols
