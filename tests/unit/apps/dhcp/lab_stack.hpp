#pragma once
// etherbeam's registrations with DHCP on (host and DHCP intake) behind a real
// dispatcher; the lease manager is replaced by a list of what was handed to
// it (or by nobody, while it restarts).
#include <optional>
#include <vector>

#include "actors/dispatcher.hpp"
#include "apps/dhcp/dhcp_intake.hpp"
#include "apps/host/host_responders.hpp"

namespace etherbeam::testing {

using namespace etherbeam::actors;
using namespace etherbeam::apps::dhcp;
using namespace etherbeam::protocols;

struct lab_stack {
  explicit lab_stack(std::int64_t backlog_limit = 16) {
    auto regs = etherbeam::apps::host::host_registrations(counters->named);
    dhcp = std::make_shared<dhcp_counters>(counters);
    backlog = std::make_shared<admission_gate>(backlog_limit, dhcp->overload_dropped);
    regs.push_back({"dhcp", frame_match::udp(dhcp_server_port, true),
                    std::make_shared<dhcp_intake>(dhcp, backlog, [this](dhcp_inbound&& m, caf::execution_unit*) {
                      if (!lease_manager_running) return false;
                      handed.push_back(std::move(m));
                      return true;
                    })});
    dispatch.emplace(std::move(regs), counters->named);
    // The captures were made against a DHCP server at 10.77.0.3.
    me.addresses.push_back(*ipv4_interface::from_string("10.77.0.3/24"));
    me.mac = mac_address{{0x02, 0xeb, 0, 0, 0, 3}};
  }

  verdict decide(std::span<const std::uint8_t> frame) {
    std::vector<std::uint8_t> reply(frame.size());
    auto v = dispatch->decide(frame, me, reply);
    v.record();
    return v;
  }

  std::shared_ptr<stack_counters> counters = std::make_shared<stack_counters>();
  std::shared_ptr<dhcp_counters> dhcp;
  std::shared_ptr<admission_gate> backlog;
  std::optional<dispatcher> dispatch;
  stack_identity me;
  bool lease_manager_running = true;
  std::vector<dhcp_inbound> handed;
};


} // namespace etherbeam::testing
