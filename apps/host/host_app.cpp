// The host application in etherbeam's catalog: on unless disabled
// (`--no-app host`), stateless, no actors of its own.
#include "apps/host/host_responders.hpp"
#include "server/applications.hpp"

namespace etherbeam::apps::host {

namespace {

const bool added = server::add_application({
  "host",
  "answer ARP and ICMP echo for the owned addresses, as the kernel would",
  true,
  [](const server::application_start& start) -> std::optional<server::running_application> {
    return server::running_application{host_registrations(start.counters->named), {}, {}};
  },
});

} // namespace

} // namespace etherbeam::apps::host
