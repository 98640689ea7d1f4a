#include "server/supervision_tree.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <caf/actor_registry.hpp>
#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/exit_reason.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>

#include "actors/link.hpp"
#include "apps/dhcp/dhcp_messages.hpp"
#include <sys/socket.h>

#include "ipc/socket_directory.hpp"
#include "ipc/socket_pair.hpp"
#include "tests/unit/event_log.hpp"

using namespace etherbeam;
using namespace etherbeam::actors;
using namespace etherbeam::server;
using namespace etherbeam::apps::dhcp;
using namespace std::chrono_literals;

namespace {

struct supervision_tree_test : ::testing::Test {
  // Before the actor system: a supervisor may still report a restart while
  // the system shuts down at the end of a test.
  etherbeam::testing::event_log restarts;
  caf::actor_system_config cfg;
  std::unique_ptr<caf::actor_system> system;
  std::filesystem::path dir;
  ipc::unique_fd socket;
  std::shared_ptr<stack_counters> counters = std::make_shared<stack_counters>();
  caf::actor root;

  void SetUp() override {
    cfg.add_error_category(supervision::supervision_error_category,
                           supervision::render_supervision_error);
    system = std::make_unique<caf::actor_system>(cfg);
    char tmpl[] = "/tmp/etherbeam-tree-XXXXXX";
    dir = ::mkdtemp(tmpl);
    socket = ipc::socket_directory::open(dir, std::nullopt).bind_socket(ipc::socket_paths::logic_server_name, SOCK_DGRAM, {});
    server_config config;
    config.socket_dir = dir;
    config.identity.addresses.push_back(*protocols::ipv4_interface::from_string("10.77.0.2/24"));
    config.restart_intensity = {2, 10s};
    dhcp_subnet subnet;
    subnet.network = *protocols::ipv4_interface::from_string("10.77.0.0/24");
    subnet.pools = {{*protocols::ipv4_address::from_string("10.77.0.100"),
                     *protocols::ipv4_address::from_string("10.77.0.199")}};
    config.dhcp.subnets.push_back(subnet);
    config.dhcp.state_dir = dir / "state";
    auto spec = root_supervisor_spec(*system, config, {socket.get()}, counters);
    spec.on_restart = [this, count = spec.on_restart](const std::string& id, const caf::error& e) {
      count(id, e);
      restarts.push(id);
    };
    root = supervision::spawn_supervisor(*system, std::move(spec));
  }

  void TearDown() override {
    caf::anon_send_exit(root, caf::exit_reason::user_shutdown);
    system->await_all_actors_done();
    std::filesystem::remove_all(dir);
  }

  caf::actor child(const std::string& id) {
    caf::scoped_actor self{*system};
    caf::actor result;
    self->request(root, 5s, supervision::get_child_atom::value, id)
      .receive([&](const caf::actor& a) { result = a; }, [](const caf::error&) {});
    return result;
  }

  // An actor registers itself when it starts, in its own thread if detached;
  // any answer from it, even "unexpected message", comes after that.
  void wait_until_started(const caf::actor& a) {
    caf::scoped_actor self{*system};
    self->request(a, 5s, caf::atom("started")).receive([](caf::message&) {}, [](const caf::error&) {});
  }
};

} // namespace

TEST_F(supervision_tree_test, a_failed_sender_is_restarted_and_registered_again) {
  auto old_sender = child("sender");
  ASSERT_TRUE(old_sender);
  caf::anon_send(old_sender, inject_fault_atom::value);
  EXPECT_EQ(restarts.next(), "sender");
  auto new_sender = child("sender");
  EXPECT_NE(new_sender, old_sender);
  wait_until_started(new_sender);
  auto registered = system->registry().get(sender_name(0));
  EXPECT_EQ(caf::actor_cast<caf::actor>(registered), new_sender);
  EXPECT_EQ(counters->actor_restarts.load(), 1u);
}

TEST_F(supervision_tree_test, a_failed_ingress_is_restarted_on_the_same_socket) {
  auto old_ingress = child("ingress");
  caf::anon_send(old_ingress, inject_fault_atom::value);
  EXPECT_EQ(restarts.next(), "ingress");
  EXPECT_NE(child("ingress"), old_ingress);
}

TEST_F(supervision_tree_test, too_many_failures_make_the_root_give_up) {
  for (int i = 0; i < 2; ++i) {
    caf::anon_send(child("sender"), inject_fault_atom::value);
    EXPECT_EQ(restarts.next(), "sender");
  }
  caf::scoped_actor self{*system};
  self->monitor(root);
  caf::anon_send(child("sender"), inject_fault_atom::value);
  caf::error reason;
  self->receive([&](const caf::down_msg& d) { reason = d.reason; }, caf::after(5s) >> [] {});
  EXPECT_EQ(reason, supervision::make_error(supervision::supervision_errc::restart_intensity_exceeded));
}

TEST_F(supervision_tree_test, the_dhcp_actors_are_restarted_and_registered_again) {
  for (auto [id, name] : {std::pair{"dhcp", dhcp_registry_name}, std::pair{"lease_manager", lease_manager_registry_name}}) {
    auto old_actor = child(id);
    ASSERT_TRUE(old_actor) << id;
    caf::anon_send(old_actor, inject_fault_atom::value);
    EXPECT_EQ(restarts.next(), id);
    auto new_actor = child(id);
    EXPECT_NE(new_actor, old_actor) << id;
    wait_until_started(new_actor);
    EXPECT_EQ(caf::actor_cast<caf::actor>(system->registry().get(name)), new_actor) << id;
  }
  EXPECT_EQ(counters->actor_restarts.load(), 2u);
  EXPECT_TRUE(std::filesystem::exists(dir / "state" / "leases.journal"));
}
