#include "supervision/supervisor.hpp"

#include <gtest/gtest.h>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/exit_reason.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/scheduler/test_coordinator.hpp>
#include <caf/send.hpp>

#include "tests/unit/event_log.hpp"

using namespace etherbeam::supervision;
using namespace std::chrono_literals;

namespace {

using crash_atom = caf::atom_constant<caf::atom("crash")>;
using finish_atom = caf::atom_constant<caf::atom("finish")>;

// Takes its id as an argument: CAF 0.17 spawns argument-less function actors
// through a null pointer to an empty tuple, which UBSan rightly reports.
caf::behavior worker(caf::event_based_actor* self, const std::string&) {
  return {
    [self](crash_atom) { self->quit(caf::sec::runtime_error); },
    [self](finish_atom) { self->quit(); },
  };
}

child_spec worker_spec(std::string id, restart_type restart = restart_type::permanent) {
  return {id, [id](caf::actor_system& sys) { return sys.spawn(worker, id); }, restart};
}

struct supervisor_test : ::testing::Test {
  // Before the actor system: actors may still report into it while the
  // system shuts down at the end of a test.
  etherbeam::testing::event_log events;
  etherbeam::testing::event_log restarts;
  caf::actor_system_config cfg;
  std::unique_ptr<caf::actor_system> system;

  void SetUp() override {
    cfg.add_error_category(supervision_error_category, render_supervision_error);
    system = std::make_unique<caf::actor_system>(cfg);
  }

  caf::actor start(strategy s, restart_intensity intensity, std::vector<child_spec> children) {
    supervisor_spec spec{"test", s, intensity, std::move(children),
                         [this](const std::string& id, const caf::error&) { restarts.push(id); }};
    return spawn_supervisor(*system, std::move(spec));
  }

  caf::actor child(const caf::actor& sup, const std::string& id) {
    caf::scoped_actor self{*system};
    caf::actor result;
    self->request(sup, 5s, get_child_atom::value, id)
      .receive([&](const caf::actor& a) { result = a; }, [](const caf::error&) {});
    return result;
  }

  // The exit reason of `who`, waited for through a monitor.
  caf::error exit_reason_of(const caf::actor& who) {
    caf::scoped_actor self{*system};
    self->monitor(who);
    caf::error reason = caf::sec::request_timeout;
    self->receive([&](const caf::down_msg& d) { reason = d.reason; },
                  caf::after(std::chrono::seconds(5)) >> [] {});
    return reason;
  }
};

} // namespace

TEST_F(supervisor_test, one_for_one_restarts_only_the_failed_child) {
  auto sup = start(strategy::one_for_one, {3, 5s}, {worker_spec("a"), worker_spec("b"), worker_spec("c")});
  auto a = child(sup, "a"), b = child(sup, "b"), c = child(sup, "c");
  caf::anon_send(b, crash_atom::value);
  EXPECT_EQ(restarts.next(), "b");
  EXPECT_NE(child(sup, "b"), b);
  EXPECT_EQ(child(sup, "a"), a);
  EXPECT_EQ(child(sup, "c"), c);
  EXPECT_TRUE(restarts.empty());
  caf::anon_send_exit(sup, caf::exit_reason::user_shutdown);
}

TEST_F(supervisor_test, one_for_all_restarts_every_child_in_start_order) {
  auto sup = start(strategy::one_for_all, {3, 5s}, {worker_spec("a"), worker_spec("b"), worker_spec("c")});
  auto a = child(sup, "a"), c = child(sup, "c");
  caf::anon_send(child(sup, "b"), crash_atom::value);
  EXPECT_EQ(restarts.next(), "a");
  EXPECT_EQ(restarts.next(), "b");
  EXPECT_EQ(restarts.next(), "c");
  EXPECT_EQ(exit_reason_of(a), caf::exit_reason::user_shutdown);
  EXPECT_NE(child(sup, "c"), c);
  caf::anon_send_exit(sup, caf::exit_reason::user_shutdown);
}

TEST_F(supervisor_test, rest_for_one_restarts_the_child_and_those_after_it) {
  auto sup = start(strategy::rest_for_one, {3, 5s}, {worker_spec("a"), worker_spec("b"), worker_spec("c")});
  auto a = child(sup, "a");
  caf::anon_send(child(sup, "b"), crash_atom::value);
  EXPECT_EQ(restarts.next(), "b");
  EXPECT_EQ(restarts.next(), "c");
  EXPECT_EQ(child(sup, "a"), a);
  caf::anon_send_exit(sup, caf::exit_reason::user_shutdown);
}

TEST_F(supervisor_test, transient_child_is_restarted_only_after_an_abnormal_exit) {
  auto sup = start(strategy::one_for_one, {3, 5s}, {worker_spec("t", restart_type::transient)});
  caf::anon_send(child(sup, "t"), crash_atom::value);
  EXPECT_EQ(restarts.next(), "t");
  auto t = child(sup, "t");
  caf::anon_send(t, finish_atom::value);
  EXPECT_EQ(exit_reason_of(t), caf::exit_reason::normal);
  EXPECT_FALSE(restarts.next(300ms));
  EXPECT_FALSE(child(sup, "t"));
  caf::anon_send_exit(sup, caf::exit_reason::user_shutdown);
}

TEST_F(supervisor_test, temporary_child_is_never_restarted) {
  auto sup = start(strategy::one_for_one, {3, 5s}, {worker_spec("tmp", restart_type::temporary)});
  auto tmp = child(sup, "tmp");
  caf::anon_send(tmp, crash_atom::value);
  EXPECT_EQ(exit_reason_of(tmp), caf::sec::runtime_error);
  EXPECT_FALSE(restarts.next(300ms));
  caf::anon_send_exit(sup, caf::exit_reason::user_shutdown);
}

TEST_F(supervisor_test, exceeding_restart_intensity_escalates_and_stops_children) {
  auto sup = start(strategy::one_for_one, {2, 10s}, {worker_spec("a"), worker_spec("b")});
  auto a = child(sup, "a");
  for (int i = 0; i < 2; ++i) {
    caf::anon_send(child(sup, "b"), crash_atom::value);
    EXPECT_EQ(restarts.next(), "b");
  }
  caf::anon_send(child(sup, "b"), crash_atom::value);
  EXPECT_EQ(exit_reason_of(sup), make_error(supervision_errc::restart_intensity_exceeded));
  EXPECT_EQ(exit_reason_of(a), caf::exit_reason::user_shutdown);
}

TEST_F(supervisor_test, a_parent_restarts_a_child_supervisor_that_gave_up) {
  auto inner = [](caf::actor_system& sys) {
    return spawn_supervisor(sys, {"inner", strategy::one_for_one, {0, 5s}, {worker_spec("w")}, {}});
  };
  auto outer = start(strategy::one_for_one, {3, 5s}, {{"inner", inner, restart_type::permanent}});
  auto first = child(outer, "inner");
  caf::anon_send(child(first, "w"), crash_atom::value);
  EXPECT_EQ(restarts.next(), "inner");
  auto second = child(outer, "inner");
  EXPECT_NE(second, first);
  EXPECT_TRUE(child(second, "w")); // the new inner supervisor started its worker
  caf::anon_send_exit(outer, caf::exit_reason::user_shutdown);
}

TEST_F(supervisor_test, shutdown_stops_every_child) {
  auto sup = start(strategy::one_for_one, {3, 5s}, {worker_spec("a"), worker_spec("b")});
  auto a = child(sup, "a"), b = child(sup, "b");
  caf::anon_send_exit(sup, caf::exit_reason::user_shutdown);
  EXPECT_EQ(exit_reason_of(a), caf::exit_reason::user_shutdown);
  EXPECT_EQ(exit_reason_of(b), caf::exit_reason::user_shutdown);
  EXPECT_TRUE(restarts.empty());
}

TEST_F(supervisor_test, a_child_that_cannot_start_fails_the_supervisor) {
  child_spec broken{"broken", [](caf::actor_system&) -> caf::actor { throw std::runtime_error("no"); }};
  auto sup = start(strategy::one_for_one, {3, 5s}, {worker_spec("a"), broken});
  EXPECT_EQ(exit_reason_of(sup), make_error(supervision_errc::child_start_failed));
}

// OTP's shutdown: a child asked to stop is waited for (bounded), then killed.

namespace {

using stop_now_atom = caf::atom_constant<caf::atom("stopnow")>;

// Takes `linger` to stop when asked (a child flushing to disk), or never
// stops by itself when `linger` is negative. Reports its start and its end.
caf::behavior lingering(caf::event_based_actor* self, std::chrono::milliseconds linger,
                        etherbeam::testing::event_log* events) {
  events->push("started");
  self->attach_functor([events](const caf::error& reason) {
    events->push(reason == caf::exit_reason::kill ? "killed" : "stopped");
  });
  self->set_exit_handler([self, linger](caf::exit_msg&) {
    if (linger.count() >= 0) self->delayed_send(self, linger, stop_now_atom::value);
  });
  return {[self](stop_now_atom) { self->quit(caf::exit_reason::user_shutdown); }};
}

child_spec lingering_spec(std::chrono::milliseconds linger, std::chrono::milliseconds shutdown,
                          etherbeam::testing::event_log* events) {
  return {"lingering",
          [=](caf::actor_system& sys) { return sys.spawn(lingering, linger, events); },
          restart_type::permanent, shutdown};
}

} // namespace

TEST_F(supervisor_test, a_restart_waits_until_the_stopped_sibling_is_gone) {
  auto sup = start(strategy::one_for_all, {3, 5s}, {lingering_spec(200ms, 5s, &events), worker_spec("a")});
  EXPECT_EQ(events.next(), "started");
  caf::anon_send(child(sup, "a"), crash_atom::value);
  // Its successor starts only once the old one has finished stopping.
  EXPECT_EQ(events.next(), "stopped");
  EXPECT_EQ(events.next(), "started");
  EXPECT_EQ(restarts.next(), "lingering");
  EXPECT_EQ(restarts.next(), "a");
}

TEST_F(supervisor_test, a_child_that_does_not_stop_within_its_shutdown_time_is_killed) {
  auto sup = start(strategy::one_for_all, {3, 5s}, {lingering_spec(-1ms, 100ms, &events), worker_spec("a")});
  EXPECT_EQ(events.next(), "started");
  caf::anon_send(child(sup, "a"), crash_atom::value);
  EXPECT_EQ(events.next(), "killed");
  EXPECT_EQ(events.next(), "started");
  EXPECT_EQ(restarts.next(), "lingering");
  EXPECT_EQ(restarts.next(), "a");
}

TEST_F(supervisor_test, a_supervisor_shutting_down_ends_after_its_children) {
  auto sup = start(strategy::one_for_one, {3, 5s}, {lingering_spec(200ms, 5s, &events)});
  EXPECT_EQ(events.next(), "started");
  caf::scoped_actor self{*system};
  self->monitor(sup);
  self->send_exit(sup, caf::exit_reason::user_shutdown);
  self->receive([&](const caf::down_msg&) { events.push("supervisor down"); });
  EXPECT_EQ(events.next(), "stopped");
  EXPECT_EQ(events.next(), "supervisor down");
}

// Under CAF's test coordinator, which runs one actor at a time in the order
// the test says: a child with messages waiting takes its supervisor's exit
// signal before them, as an Erlang process takes signals before messages.
namespace {

using work_atom = caf::atom_constant<caf::atom("work")>;

caf::behavior counting_worker(caf::event_based_actor* self, std::shared_ptr<int> worked) {
  return {[worked](work_atom) { ++*worked; }};
}

} // namespace

TEST(supervisor_signals, a_child_stops_ahead_of_the_messages_waiting_for_it) {
  caf::actor_system_config cfg;
  cfg.set("scheduler.policy", caf::atom("testing"));
  cfg.set("logger.file-verbosity", caf::atom("quiet"));
  cfg.add_error_category(supervision_error_category, render_supervision_error);
  caf::actor_system system{cfg};
  auto& sched = dynamic_cast<caf::scheduler::test_coordinator&>(system.scheduler());
  auto worked = std::make_shared<int>(0);
  caf::actor busy;
  supervisor_spec spec{"test", strategy::one_for_one, {3, 5s},
                       {{"busy", [&](caf::actor_system& sys) { return busy = sys.spawn(counting_worker, worked); }}},
                       {}};
  auto sup = spawn_supervisor(system, std::move(spec));
  sched.run();
  for (int i = 0; i < 100; ++i) caf::anon_send(busy, work_atom::value);
  caf::anon_send_exit(sup, caf::exit_reason::user_shutdown);
  sched.prioritize(sup);
  sched.run_once(); // the supervisor signals its child
  sched.run();
  EXPECT_EQ(*worked, 0);
  busy = nullptr;
}
