#include "apps/dhcp/lease_listing.hpp"

#include <algorithm>
#include <ctime>
#include <sstream>

#include <nlohmann/json.hpp>

namespace etherbeam::apps::dhcp {

std::string utc(std::int64_t t) {
  std::time_t tt = static_cast<std::time_t>(t);
  std::tm tm{};
  ::gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string printable(std::string_view raw) {
  static const char digits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : raw) {
    if (c >= 0x20 && c < 0x7f && c != '\\') {
      out += static_cast<char>(c);
    } else {
      out += "\\x";
      out += digits[c >> 4];
      out += digits[c & 0xf];
    }
  }
  return out;
}

std::string state_name(const lease& l, std::int64_t now) {
  if (l.state == lease_state::bound) return l.expires > now ? "active" : "expired";
  return std::string(to_string(l.state));
}

namespace {

bool active(const lease& l, std::int64_t now) { return l.state == lease_state::bound && l.expires > now; }

} // namespace

std::string render_leases(const lease_table& table, std::int64_t now, listing_options options) {
  std::vector<const lease*> shown;
  table.for_each([&](const lease& l) {
    if (l.state == lease_state::offered) return; // not leases yet
    if (options.include_inactive || active(l, now)) shown.push_back(&l);
  });
  if (options.json) {
    auto list = nlohmann::json::array();
    for (auto* l : shown)
      list.push_back({{"address", l->address.to_string()},
                      {"mac", l->mac.to_string()},
                      {"client_id", to_hex(l->client)},
                      {"host_name", printable(l->host_name)},
                      {"host_name_hex", hex_digits(l->host_name)},
                      {"expires", utc(l->expires)},
                      {"expires_unix", l->expires},
                      {"state", state_name(*l, now)}});
    return list.dump(2) + "\n";
  }
  std::ostringstream out;
  out << "ADDRESS          MAC                CLIENT ID                 HOST NAME         EXPIRES (UTC)         STATE\n";
  for (auto* l : shown) {
    auto state = state_name(*l, now);
    auto host = printable(l->host_name);
    char line[256];
    std::snprintf(line, sizeof line, "%-16s %-18s %-25s %-17s %-21s %s\n", l->address.to_string().c_str(),
                  l->mac.to_string().c_str(), to_hex(l->client).substr(0, 25).c_str(),
                  host.empty() ? "-" : host.substr(0, 17).c_str(), utc(l->expires).c_str(),
                  state.c_str());
    out << line;
  }
  out << shown.size() << (shown.size() == 1 ? " lease" : " leases") << "\n";
  return out.str();
}

} // namespace etherbeam::apps::dhcp
