#pragma once
// The DHCP server's decisions (RFC 2131 §4.3), as a pure function of the
// message, the lease table and the time: which reply, and which lease change.
// The lease manager actor applies the change, makes it durable, and only then
// lets the reply leave.
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "actors/link_index.hpp"
#include "apps/dhcp/dhcp_settings.hpp"
#include "apps/dhcp/lease_table.hpp"
#include "protocols/dhcp.hpp"
#include "protocols/ethernet.hpp"

namespace etherbeam::apps::dhcp {

// A DHCP message as it arrived, with where it came from.
struct dhcp_inbound {
  protocols::ethernet_repr ethernet; // its source MAC and VLAN tags address the reply
  protocols::ipv4_address ip_source;
  protocols::dhcp_repr message;
  protocols::mac_address server_mac; // the MAC the stack answers with
  // The link it came in on, where the reply leaves, and our address there
  // (the one it was sent to, or the link's first for a broadcast): a client
  // without an address gets one from the subnet of the link it is on.
  actors::link_index link = 0;
  protocols::ipv4_address local_address;
  std::uint16_t link_mtu = 1500; // replies are fitted to it and to the client's option 57
};

enum class dhcp_event : std::uint8_t {
  offered,
  acked,
  nak_sent,
  informed,
  released,
  declined,
  pool_exhausted,     // DISCOVER with no address left to offer
  for_other_server,   // REQUEST naming another server: the client chose it
  unknown_client,     // INIT-REBOOT or RENEWING from a client we have no record of
  no_subnet,          // nothing configured for the link or relay it came from
  not_a_client_message, // OFFER/ACK/NAK: another server's, not ours to answer
  not_its_lease,      // RELEASE or DECLINE of an address the client does not hold
  count_
};
std::string_view to_string(dhcp_event e);

struct dhcp_outcome {
  dhcp_event event = dhcp_event::no_subnet;
  std::optional<protocols::dhcp_repr> reply;
  // Set when the table changes; `durable` changes (ACK, RELEASE, DECLINE) must
  // be on disk before the reply leaves. OFFERs are held in memory only.
  std::optional<lease> change;
  bool durable = false;
  protocols::ipv4_address server_address; // source of the reply
  // The configured options the client asked for, in the order it asked
  // (RFC 2131 §4.3.1: the server MUST try to send them), then any it did not
  // ask for; a reply too large leaves them out from the last. They view the
  // server's settings, which outlive every outcome.
  std::vector<protocols::dhcp_option> extra_options;

  // The reply with its raw options attached, ready to emit while this lives.
  protocols::dhcp_repr finished_reply() const {
    auto r = *reply;
    r.extra_options = extra_options;
    return r;
  }
};

class dhcp_server {
public:
  dhcp_server(dhcp_settings settings, std::vector<protocols::ipv4_interface> own_addresses);

  dhcp_outcome handle(const dhcp_inbound& in, const lease_table& table, std::int64_t now) const;
  const dhcp_settings& settings() const { return settings_; }
  const std::vector<protocols::ipv4_interface>& own_addresses() const { return own_; }

private:
  struct context;
  dhcp_outcome discover(const context& c) const;
  dhcp_outcome request(const context& c) const;
  dhcp_outcome decline(const context& c) const;
  dhcp_outcome release(const context& c) const;
  dhcp_outcome inform(const context& c) const;

  std::optional<protocols::ipv4_address> choose_address(const context& c) const;
  bool may_have(const context& c, protocols::ipv4_address a, bool over_offers = false) const;
  dhcp_outcome ack(const context& c, protocols::ipv4_address a) const;
  dhcp_outcome nak(const context& c) const;
  protocols::dhcp_repr reply_to(const context& c, protocols::dhcp_message_type type) const;
  void add_options(const context& c, dhcp_outcome& out, bool with_lease) const;
  void add_boot_fields(const context& c, dhcp_outcome& out,
                       const std::vector<const client_class*>& classes) const;
  const dhcp_subnet* subnet_for(const dhcp_inbound& in) const;
  protocols::ipv4_address server_address_for(const dhcp_subnet& s) const;
  bool is_own(protocols::ipv4_address a) const;

  dhcp_settings settings_;
  std::vector<protocols::ipv4_interface> own_;
};

} // namespace etherbeam::apps::dhcp
