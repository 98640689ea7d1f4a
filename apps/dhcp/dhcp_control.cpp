#include "apps/dhcp/dhcp_control.hpp"

#include <caf/actor_cast.hpp>
#include <caf/actor_registry.hpp>
#include <caf/actor_system.hpp>
#include <caf/blocking_actor.hpp>

#include "apps/dhcp/dhcp_messages.hpp"
#include "apps/dhcp/lease_api.hpp"

namespace etherbeam::apps::dhcp {

namespace {

constexpr auto answer_within = std::chrono::seconds(10); // a commit behind a slow disk included

lease_manager_actor lease_manager(caf::blocking_actor* self) {
  return caf::actor_cast<lease_manager_actor>(self->system().registry().get(lease_manager_registry_name));
}

const std::string restarting = lease_api_refusal("the lease manager is (re)starting; try again in a moment");

actors::control_command api_command(const std::string& name) {
  return {name, "the lease API (Kea's " + name + ")",
          [name](caf::blocking_actor* self, std::string_view arguments, ipc::unique_fd&) {
            auto manager = lease_manager(self);
            if (!manager) return restarting;
            std::string reply;
            self->request(manager, answer_within, lease_api_atom::value, name, std::string(arguments))
              .receive([&](std::string& r) { reply = std::move(r); },
                       [&](caf::error& e) {
                         reply = lease_api_refusal("the lease manager did not answer: " + self->system().render(e));
                       });
            return reply;
          }};
}

// "leases [json] [all]"
std::string list(caf::blocking_actor* self, std::string_view arguments) {
  auto manager = lease_manager(self);
  if (!manager) return "error: the lease manager is (re)starting; try again in a moment";
  bool as_json = arguments.find("json") != std::string_view::npos;
  bool all = arguments.find("all") != std::string_view::npos;
  std::string reply;
  self->request(manager, answer_within, list_leases_atom::value, as_json, all)
    .receive([&](std::string& r) { reply = std::move(r); },
             [&](caf::error& e) { reply = "error: the lease manager did not answer: " + self->system().render(e); });
  return reply;
}

std::string watch(caf::blocking_actor* self, ipc::unique_fd& connection) {
  auto manager = lease_manager(self);
  if (!manager) return restarting;
  // The lease manager acknowledges once it watches: no event can come before.
  self->send(manager, watch_atom::value, connection.release()); // its own from now on
  return {};
}

} // namespace

std::vector<actors::control_command> dhcp_control_commands() {
  std::vector<actors::control_command> commands;
  for (const auto& name : lease_api_commands()) commands.push_back(api_command(name));
  commands.push_back({"leases", "the DHCP leases now (json, all)",
                      [](caf::blocking_actor* self, std::string_view arguments, ipc::unique_fd&) {
                        return list(self, arguments);
                      }});
  commands.push_back({"watch", "DHCP lease events as JSON lines, as they happen",
                      [](caf::blocking_actor* self, std::string_view, ipc::unique_fd& connection) {
                        return watch(self, connection);
                      }});
  return commands;
}

} // namespace etherbeam::apps::dhcp
