// The host application in etherbeam's catalog: on unless disabled
// (`--no-app host`), no actors of its own.
#include <spdlog/spdlog.h>

#include "apps/host/host_responders.hpp"
#include "server/applications.hpp"
#include "server/config_reading.hpp"

namespace etherbeam::apps::host {

namespace {

host_settings settings_of(const toml::table& table) {
  host_settings s;
  for (auto&& [key, node] : table) {
    bool* setting = key.str() == "port_unreachable"       ? &s.port_unreachable
                    : key.str() == "tcp_reset"            ? &s.tcp_reset
                    : key.str() == "protocol_unreachable" ? &s.protocol_unreachable
                                                          : nullptr;
    if (!setting)
      throw server::config_error("[apps.host]: unknown setting " + std::string(key.str()) +
                                 " (known: port_unreachable, tcp_reset, protocol_unreachable)");
    auto on = node.value<bool>();
    if (!on) throw server::config_error("[apps.host]: " + std::string(key.str()) + " must be true or false");
    *setting = *on;
  }
  return s;
}

const bool added = server::add_application({
  "host",
  "answer ARP and ICMP echo for the owned addresses, and refuse what nothing serves as the kernel "
  "would: a TCP reset, ICMP port or protocol unreachable (rate-limited; [apps.host] tcp_reset, "
  "port_unreachable, protocol_unreachable = false turn them off)",
  true,
  [](const server::application_start& start) -> std::optional<server::running_application> {
    auto settings = settings_of(start.settings);
    settings.warn = [](const std::string& text) { spdlog::warn("host: {}", text); };
    return server::running_application{host_registrations(start.counters->named, settings), {}, {}, {}};
  },
  {}, {}, {},
});

} // namespace

} // namespace etherbeam::apps::host
