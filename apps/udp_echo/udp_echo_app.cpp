// UDP echo in etherbeam's catalog: off unless asked for (`--app udp_echo`, or
// `[apps] enable = ["udp_echo"]`); `[apps.udp_echo] port = N` moves it off 7.
#include "apps/udp_echo/udp_echo.hpp"
#include "server/applications.hpp"
#include "server/config_reading.hpp"

namespace etherbeam::apps::udp_echo {

namespace {

std::uint16_t configured_port(const toml::table& settings) {
  std::uint16_t port = echo_port;
  for (auto&& [key, node] : settings) {
    if (key.str() != "port")
      throw server::config_error("[apps.udp_echo]: unknown setting " + std::string(key.str()) + " (known: port)");
    auto value = node.value<std::int64_t>();
    if (!value || *value < 1 || *value > 65535)
      throw server::config_error("[apps.udp_echo]: port must be a number from 1 to 65535");
    port = static_cast<std::uint16_t>(*value);
  }
  return port;
}

const bool added = server::add_application({
  "udp_echo",
  "echo UDP datagrams to port 7 (RFC 862); [apps.udp_echo] port = N",
  false,
  [](const server::application_start& start) -> std::optional<server::running_application> {
    auto port = configured_port(start.settings);
    return server::running_application{
      {{"udp_echo", actors::frame_match::udp(port), std::make_shared<udp_echo>(start.counters->named)}}, {}, {}, {}};
  },
  {}, {}, {},
});

} // namespace

} // namespace etherbeam::apps::udp_echo
