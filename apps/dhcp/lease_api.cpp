#include "apps/dhcp/lease_api.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "apps/dhcp/lease_listing.hpp"

namespace etherbeam::apps::dhcp {

using namespace protocols;
using json = nlohmann::json;

namespace {

// Kea's result codes.
constexpr int done = 0, refused = 1, empty = 3;

std::string answer(int result, const std::string& text, json arguments = nullptr) {
  json out{{"result", result}, {"text", text}};
  if (!arguments.is_null()) out["arguments"] = std::move(arguments);
  return out.dump();
}

std::string subnet_of(const dhcp_settings& settings, ipv4_address a) {
  auto s = settings.subnet_containing(a);
  return s ? s->network.to_string() : "";
}

json lease_json(const lease& l, const dhcp_settings& settings, std::int64_t now) {
  return {{"ip-address", l.address.to_string()},
          {"hw-address", l.mac.to_string()},
          {"client-id", to_hex(l.client)},
          {"hostname", printable(l.host_name)},
          {"valid-lft", std::max<std::int64_t>(0, l.expires - now)},
          {"expire", l.expires},
          {"state", state_name(l, now)},
          {"subnet", subnet_of(settings, l.address)}};
}

lease_api_answer only(std::string reply) {
  lease_api_answer a;
  a.reply = std::move(reply);
  return a;
}

// Offers are not leases yet; a released (or deleted) lease is kept only so
// that its client gets the same address again: neither is a lease to show.
bool shown(const lease& l) { return l.state != lease_state::offered && l.state != lease_state::released; }

std::optional<client_key> hex_key(const std::string& text) {
  client_key key;
  std::string digits;
  for (char c : text)
    if (c != ':' && c != '-' && c != ' ') digits += c;
  if (digits.empty() || digits.size() % 2) return std::nullopt;
  for (std::size_t i = 0; i < digits.size(); i += 2) {
    auto byte = digits.substr(i, 2);
    if (byte.find_first_not_of("0123456789abcdefABCDEF") != std::string::npos) return std::nullopt;
    key.push_back(static_cast<std::uint8_t>(std::stoul(byte, nullptr, 16)));
  }
  return key;
}

struct request {
  json args;
  std::string error; // set when the arguments are not what the command takes
  std::string text(const char* key) const {
    auto it = args.find(key);
    return it != args.end() && it->is_string() ? it->get<std::string>() : "";
  }
};

request parse_arguments(std::string_view arguments) {
  request r;
  if (arguments.find_first_not_of(" \t\n") == std::string_view::npos) {
    r.args = json::object();
    return r;
  }
  r.args = json::parse(arguments, nullptr, false);
  if (r.args.is_discarded() || !r.args.is_object()) r.error = "arguments must be a JSON object";
  return r;
}

lease_api_answer get(const request& r, const lease_table& table, const dhcp_settings& settings, std::int64_t now) {
  const lease* found = nullptr;
  auto type = r.text("identifier-type");
  auto id = r.text("identifier");
  if (auto ip = r.text("ip-address"); !ip.empty()) {
    auto a = ipv4_address::from_string(ip);
    if (!a) return only(answer(refused, "'" + ip + "' is not an IPv4 address"));
    found = table.by_address(*a);
  } else if (auto hw = type == "hw-address" ? id : r.text("hw-address"); !hw.empty()) {
    auto mac = mac_address::from_string(hw);
    if (!mac) return only(answer(refused, "'" + hw + "' is not a MAC address"));
    table.for_each([&](const lease& l) {
      if (shown(l) && l.mac == *mac && (!found || l.expires > found->expires)) found = &l;
    });
  } else if (auto cid = type == "client-id" ? id : r.text("client-id"); !cid.empty()) {
    auto key = hex_key(cid);
    if (!key) return only(answer(refused, "'" + cid + "' is not hex bytes"));
    found = table.by_client(*key);
  } else {
    return only(answer(refused, "lease4-get takes ip-address, hw-address or client-id"));
  }
  if (!found || !shown(*found)) return only(answer(empty, "Lease not found."));
  return only(answer(done, "IPv4 lease found.", lease_json(*found, settings, now)));
}

lease_api_answer get_page(const request& r, bool all, const lease_table& table, const dhcp_settings& settings,
                          std::int64_t now) {
  std::uint32_t after = 0;
  bool from_start = true;
  std::size_t limit = SIZE_MAX;
  if (!all) {
    auto from = r.text("from");
    if (from.empty()) return only(answer(refused, "lease4-get-page takes from (\"start\" or an address) and limit"));
    if (from != "start") {
      auto a = ipv4_address::from_string(from);
      if (!a) return only(answer(refused, "'" + from + "' is not an IPv4 address"));
      after = a->value;
      from_start = false;
    }
    auto l = r.args.find("limit");
    if (l == r.args.end() || !l->is_number_unsigned() || l->get<std::uint64_t>() == 0)
      return only(answer(refused, "limit must be a positive number"));
    limit = l->get<std::size_t>();
  }
  auto list = json::array();
  table.for_each([&](const lease& l) { // in address order
    if (list.size() >= limit || !shown(l) || (!from_start && l.address.value <= after)) return;
    if (all && !(l.state == lease_state::bound && l.expires > now)) return;
    list.push_back(lease_json(l, settings, now));
  });
  auto n = list.size();
  if (n == 0) return only(answer(empty, "0 IPv4 lease(s) found.", {{"leases", list}, {"count", 0}}));
  return only(answer(done, std::to_string(n) + " IPv4 lease(s) found.", {{"leases", std::move(list)}, {"count", n}}));
}

lease_api_answer add(const request& r, const lease_table& table, const dhcp_settings& settings,
                     const std::vector<ipv4_interface>& own, std::int64_t now) {
  auto a = ipv4_address::from_string(r.text("ip-address"));
  auto mac = mac_address::from_string(r.text("hw-address"));
  if (!a || !mac) return only(answer(refused, "lease4-add needs ip-address and hw-address"));
  const auto* subnet = settings.subnet_containing(*a);
  if (!subnet) return only(answer(refused, a->to_string() + " is in no configured subnet"));
  if (std::any_of(own.begin(), own.end(), [&](const ipv4_interface& i) { return i.address == *a; }))
    return only(answer(refused, a->to_string() + " is etherbeam's own address"));
  client_key key = client_key_of(*mac);
  if (auto cid = r.text("client-id"); !cid.empty()) {
    auto k = hex_key(cid);
    if (!k) return only(answer(refused, "'" + cid + "' is not hex bytes"));
    key = *k;
  }
  if (auto held = table.by_address(*a); held && held->client != key && held->holds_address(now))
    return only(answer(refused, "address " + a->to_string() + " is held by " + to_hex(held->client) +
                                  "; delete that lease first"));
  std::int64_t valid = subnet->lease_time;
  if (auto v = r.args.find("valid-lft"); v != r.args.end()) {
    if (!v->is_number_unsigned() || v->get<std::uint64_t>() == 0 || v->get<std::uint64_t>() > 0xffffffffu)
      return only(answer(refused, "valid-lft must be a positive number of seconds"));
    valid = v->get<std::int64_t>();
  }
  lease l{*a, key, *mac, r.text("hostname"), now + valid, lease_state::bound};
  return {answer(done, "Lease for address " + a->to_string() + " added."), {l}, lease_event::acked};
}

lease_api_answer del(const request& r, const lease_table& table) {
  auto a = ipv4_address::from_string(r.text("ip-address"));
  if (!a) return only(answer(refused, "lease4-del needs ip-address"));
  auto l = table.by_address(*a);
  if (!l || l->state == lease_state::offered || l->state == lease_state::released)
    return only(answer(empty, "IPv4 lease not found."));
  lease gone = *l;
  gone.state = lease_state::released;
  gone.expires = 0;
  return {answer(done, "IPv4 lease deleted."), {gone}, lease_event::deleted};
}

lease_api_answer wipe(const request& r, const lease_table& table, const dhcp_settings& settings) {
  auto text = r.text("subnet");
  auto network = ipv4_interface::from_string(text);
  const dhcp_subnet* subnet = nullptr;
  for (const auto& s : settings.subnets)
    if (network && s.network.address == ipv4_address{network->address.value & network->netmask()} &&
        s.network.prefix_length == network->prefix_length)
      subnet = &s;
  if (!subnet) return only(answer(refused, "lease4-wipe needs the subnet of a [[dhcp.subnet]], e.g. 10.77.0.0/24"));
  lease_api_answer out;
  table.for_each([&](const lease& l) {
    if (!subnet->contains(l.address) || l.state == lease_state::offered || l.state == lease_state::released) return;
    lease gone = l;
    gone.state = lease_state::released;
    gone.expires = 0;
    out.changes.push_back(gone);
  });
  out.event = lease_event::deleted;
  out.reply = answer(out.changes.empty() ? empty : done, "Deleted " + std::to_string(out.changes.size()) +
                                                           " IPv4 lease(s) from subnet " + subnet->network.to_string());
  return out;
}

} // namespace

std::string_view to_string(lease_event e) {
  switch (e) {
    case lease_event::acked: return "acked";
    case lease_event::renewed: return "renewed";
    case lease_event::released: return "released";
    case lease_event::declined: return "declined";
    case lease_event::expired: return "expired";
    case lease_event::deleted: return "deleted";
  }
  return "?";
}

std::optional<lease_event> event_of(const lease* before, const lease& after) {
  switch (after.state) {
    case lease_state::offered: return std::nullopt;
    case lease_state::declined: return lease_event::declined;
    case lease_state::released: return lease_event::released;
    case lease_state::bound:
      if (before && before->state == lease_state::bound && before->client == after.client) return lease_event::renewed;
      return lease_event::acked;
  }
  return std::nullopt;
}

std::string watch_line(lease_event e, const lease& l, std::int64_t now) {
  return json{{"event", to_string(e)},
              {"time", utc(now)},
              {"ip-address", l.address.to_string()},
              {"hw-address", l.mac.to_string()},
              {"client-id", to_hex(l.client)},
              {"hostname", printable(l.host_name)},
              {"expire", l.expires}}
    .dump();
}

std::string lease_api_refusal(const std::string& text) { return answer(refused, text); }

const std::vector<std::string>& lease_api_commands() {
  static const std::vector<std::string> commands{"lease4-get", "lease4-get-all", "lease4-get-page",
                                                 "lease4-add", "lease4-del", "lease4-wipe"};
  return commands;
}

lease_api_answer lease_api(std::string_view command, std::string_view arguments, const lease_table& table,
                           const dhcp_settings& settings, const std::vector<ipv4_interface>& own, std::int64_t now) {
  auto r = parse_arguments(arguments);
  if (!r.error.empty()) return only(answer(refused, r.error));
  if (command == "lease4-get") return get(r, table, settings, now);
  if (command == "lease4-get-all") return get_page(r, true, table, settings, now);
  if (command == "lease4-get-page") return get_page(r, false, table, settings, now);
  if (command == "lease4-add") return add(r, table, settings, own, now);
  if (command == "lease4-del") return del(r, table);
  if (command == "lease4-wipe") return wipe(r, table, settings);
  return only(answer(refused, "unknown command " + std::string(command)));
}

} // namespace etherbeam::apps::dhcp
