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
    if (key.str() != "port_unreachable")
      throw server::config_error("[apps.host]: unknown setting " + std::string(key.str()) +
                                 " (known: port_unreachable)");
    auto on = node.value<bool>();
    if (!on) throw server::config_error("[apps.host]: port_unreachable must be true or false");
    s.port_unreachable = *on;
  }
  return s;
}

const bool added = server::add_application({
  "host",
  "answer ARP and ICMP echo for the owned addresses, and ICMP port unreachable for UDP to a port "
  "nothing serves (rate-limited; [apps.host] port_unreachable = false turns it off), as the kernel would",
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
