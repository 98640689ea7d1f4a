#include "server/supervision_tree.hpp"

#include <algorithm>
#include <thread>

#include <caf/actor_cast.hpp>
#include <spdlog/spdlog.h>

#include "actors/heap_trimmer.hpp"
#include "actors/ingress.hpp"
#include "actors/metrics_file.hpp"
#include "actors/sender.hpp"
#include "ipc/process_identity.hpp"
#include "ipc/socket_pair.hpp"
#include "server/applications.hpp"

namespace etherbeam::server {

namespace {

std::string child_id(const char* role, const std::vector<link_config>& links, const link_config& link) {
  return links.size() == 1 ? std::string(role) : std::string(role) + "." + link.name;
}

} // namespace

logic_tree logic_supervisor_spec(caf::actor_system& system, const server_config& config,
                                 std::shared_ptr<actors::stack_counters> counters, std::vector<reloader>* reloaders,
                                 std::vector<actors::control_command>* commands) {
  auto links = served_links(config);
  std::vector<actors::link_directory::link> directory_links;
  for (const auto& link : links)
    directory_links.push_back(
      {link.name, ipc::socket_paths{link.socket_dir, link.frames_socket, link.replies_socket}.binder(), link.identity});
  auto directory = std::make_shared<actors::link_directory>(std::move(directory_links));
  std::vector<std::shared_ptr<actors::link_counters>> per_link;
  for (const auto& link : links) {
    per_link.push_back(std::make_shared<actors::link_counters>(counters->named, link.name));
    per_link.back()->link = static_cast<actors::link_index>(per_link.size() - 1);
  }
  logic_tree tree;
  auto& spec = tree.spec;
  spec.name = "root";
  spec.restart_strategy = supervision::strategy::one_for_one;
  spec.intensity = config.restart_intensity;
  spec.on_restart = [counters](const std::string&, const caf::error&) { ++counters->actor_restarts; };
  for (actors::link_index i = 0; i < links.size(); ++i) {
    auto binder = ipc::socket_paths{links[i].socket_dir, links[i].frames_socket, links[i].replies_socket}.binder();
    spec.children.push_back({child_id("sender", links, links[i]), [binder, counters, i, c = per_link[i]](caf::actor_system& sys) {
                               return caf::actor_cast<caf::actor>(spawn_sender(sys, binder, counters, i, c));
                             }});
  }
  if (!config.metrics_file.empty())
    spec.children.push_back({"metrics_file", [path = config.metrics_file, counters](caf::actor_system& sys) {
                               return actors::spawn_metrics_file(sys, path, counters);
                             }});
  spec.children.push_back({"heap_trimmer", [counters, &returned = counters->named.add("memory.returned_bytes")](
                                             caf::actor_system& sys) {
                             return actors::spawn_heap_trimmer(sys, counters, returned);
                           }});
  // Before ingress, which hands them frames.
  std::vector<actors::registration> registrations;
  static const toml::table no_settings;
  auto reinjection = std::make_shared<actors::frame_reinjection>(system, directory, counters);
  for (const auto* app : applications()) {
    if (!enabled(*app, config)) continue;
    auto settings = config.app_settings.find(app->name);
    application_start start{config, system, counters,
                            settings == config.app_settings.end() ? no_settings : settings->second, directory,
                            reinjection};
    auto running = app->start(start);
    if (!running) continue;
    spdlog::debug("application {}: {} registrations, {} actors", app->name, running->registrations.size(),
                  running->children.size());
    for (auto& r : running->registrations) registrations.push_back(std::move(r));
    for (auto& c : running->children) spec.children.push_back(std::move(c));
    if (reloaders && running->reload) reloaders->push_back(std::move(running->reload));
    if (commands)
      for (auto& c : running->commands) commands->push_back(std::move(c));
  }
  auto dispatch = std::make_shared<const actors::dispatcher>(std::move(registrations), counters->named);
  reinjection->set_dispatcher(dispatch);
  tree.dispatch = dispatch;
  tree.directory = directory;
  tree.per_link = per_link;
  return tree;
}

actors::ingress_settings ingress_settings_for(const server_config& config, const std::vector<link_config>& links,
                                             actors::link_index i, const logic_tree& tree,
                                             std::shared_ptr<actors::stack_counters> counters,
                                             std::shared_ptr<actors::reassembly_counters> reassembly) {
  ipc::socket_paths paths{links[i].socket_dir, links[i].frames_socket, links[i].replies_socket};
  actors::ingress_settings ingress;
  ingress.link = i;
  ingress.per_link = tree.per_link[i];
  ingress.identity = links[i].identity;
  ingress.link_file = paths.link_file();
  ingress.binder_socket = paths.binder();
  ingress.directory = tree.directory;
  ingress.every_link = tree.per_link;
  ingress.counters = std::move(counters);
  ingress.reassembly = std::move(reassembly);
  ingress.dispatch = tree.dispatch;
  ingress.limits = config.limits;
  ingress.model = config.model;
  ingress.workers = config.workers ? config.workers
                                   : (config.scheduler_threads ? config.scheduler_threads
                                                               : std::max(1u, std::thread::hardware_concurrency()));
  ingress.io_batch = config.io_batch;
  ingress.busy_poll = std::chrono::microseconds(config.busy_poll_us);
  if (!config.binder_user.empty()) ingress.binder_user = ipc::user_id(config.binder_user);
  return ingress;
}

supervision::supervisor_spec root_supervisor_spec(caf::actor_system& system, const server_config& config,
                                                  const std::vector<int>& ingress_sockets,
                                                  std::shared_ptr<actors::stack_counters> counters,
                                                  std::vector<reloader>* reloaders,
                                                  std::vector<actors::control_command>* commands) {
  auto tree = logic_supervisor_spec(system, config, counters, reloaders, commands);
  auto links = served_links(config);
  auto reassembly = std::make_shared<actors::reassembly_counters>(counters->named);
  for (actors::link_index i = 0; i < links.size(); ++i) {
    auto ingress = ingress_settings_for(config, links, i, tree, counters, reassembly);
    ingress.socket = ingress_sockets.at(i);
    tree.spec.children.push_back(
      {child_id("ingress", links, links[i]), [ingress](caf::actor_system& sys) { return spawn_ingress(sys, ingress); }});
  }
  return std::move(tree.spec);
}

} // namespace etherbeam::server
