#pragma once
// What the DHCP server hands out: subnets with pools, exclusions, options,
// lease times and reservations. Read from the [dhcp] part of the config file.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocols/addresses.hpp"
#include "protocols/dhcp.hpp"

namespace etherbeam::apps::dhcp {

using client_key = std::vector<std::uint8_t>;

// How a client is known (RFC 2131 §4.2): its client identifier (option 61)
// when it sends one, else its hardware type and address.
client_key client_key_of(const protocols::dhcp_repr& message);
client_key client_key_of(const protocols::mac_address& mac);
std::string to_hex(const client_key& key); // "01:02:…", as clients are shown
// Bytes as plain hex digits, no separators ("7063ff").
std::string hex_digits(std::string_view bytes);

struct dhcp_reservation {
  std::optional<protocols::mac_address> mac;
  client_key client_id; // empty when reserved by MAC
  protocols::ipv4_address address;
  std::string host_name;

  bool matches(const client_key& key, const protocols::mac_address& mac) const;
};

struct address_range {
  protocols::ipv4_address first, last;
  bool contains(protocols::ipv4_address a) const { return first <= a && a <= last; }
};

// An option's code and its value as sent, encoded from the config through
// the option table (protocols/dhcp_option_defs.hpp) when the server starts.
struct raw_option {
  std::uint8_t code = 0;
  std::vector<std::uint8_t> value;
};

// Netboot (PXE, iPXE): the TFTP server (siaddr, "next server"), its name
// ('sname') and the boot file ('file'), as a subnet or a client class sets them.
struct boot_settings {
  std::optional<protocols::ipv4_address> next_server;
  std::string server_name, boot_file;
};

// Clients told apart by what they send (Kea's client classes): a PXE ROM by
// its vendor class "PXEClient...", iPXE by its user class "iPXE", UEFI by its
// architecture (option 93, RFC 4578: 7 is EFI x64). Every condition given
// must hold. A class gives boot fields and options that take precedence over
// the subnet's; of several matching classes, the first in the config that
// sets a field or an option wins.
struct client_class {
  std::string name;
  std::string vendor_class_prefix;          // option 60 starts with this
  std::string user_class;                   // option 77 is, or holds, this
  std::vector<std::uint16_t> architectures; // option 93 holds one of these
  boot_settings boot;
  std::vector<raw_option> options;

  bool matches(const protocols::dhcp_repr& message) const;
};

struct dhcp_subnet {
  protocols::ipv4_interface network; // e.g. 10.77.0.0/24
  std::vector<address_range> pools;
  std::vector<protocols::ipv4_address> excluded;
  std::vector<dhcp_reservation> reservations;
  std::uint32_t lease_time = 3600;              // seconds
  std::optional<std::uint32_t> renewal_time;    // T1; default lease_time / 2
  std::optional<std::uint32_t> rebinding_time;  // T2; default lease_time * 7 / 8
  // Sent when the client asks for them (all of them to a client that asks
  // for nothing in particular), in the order the client asked.
  std::vector<raw_option> options;
  boot_settings boot;

  bool contains(protocols::ipv4_address a) const;
  bool in_pool(protocols::ipv4_address a) const;
  bool is_excluded(protocols::ipv4_address a) const;
  const dhcp_reservation* reservation_for(const client_key& key, const protocols::mac_address& mac) const;
  const dhcp_reservation* reservation_of(protocols::ipv4_address a) const;
};

struct dhcp_settings {
  std::vector<dhcp_subnet> subnets;
  std::vector<client_class> classes;
  // Where the lease journal lives (created if missing).
  std::filesystem::path state_dir = "/var/lib/etherbeam";
  // How long a DECLINEd address is held back before it is offered again.
  std::chrono::seconds decline_hold{600};
  // How long an OFFER reserves its address for the client's REQUEST.
  std::chrono::seconds offer_hold{30};
  // The journal is compacted once it holds this many records more than twice
  // the leases it describes.
  std::size_t compaction_slack = 4096;
  // Warn (once per episode) when a subnet has this share of its pool
  // addresses in use; 0: never.
  unsigned pool_warning_percent = 90;
  // DHCP messages a second one client may send (by client id, else MAC)
  // before the excess is ignored; 0: no limit.
  unsigned client_rate_limit = 0;

  bool enabled() const { return !subnets.empty(); }
  const dhcp_subnet* subnet_containing(protocols::ipv4_address a) const;
};

} // namespace etherbeam::apps::dhcp
