#include "daemon/actor_runtime.hpp"

#include <algorithm>
#include <chrono>
#include <mutex>
#include <thread>
#include <unordered_set>

#include <caf/actor_system_config.hpp>
#include <caf/detail/thread_safe_actor_clock.hpp>
#include <caf/policy/work_stealing.hpp>
#include <caf/scheduler/coordinator.hpp>

namespace etherbeam::daemon {

namespace {

using caf::abstract_actor;
using caf::detail::thread_safe_actor_clock;

// CAF 0.17 tells its clock thread about the end of every actor, so that it
// drops the actor's timeouts, and wakes that thread to do so: a futex wake-up
// per frame actor, on the frame's path to the sender (~4% of the CPU in a
// per-frame flood, and tens of microseconds of latency per echo, measured).
// Frame actors never set a timeout. This clock passes everything on to CAF's
// own, which keeps its thread, but notes which actors set timeouts and lets
// only their ends through.
class timeout_tracking_clock final : public thread_safe_actor_clock {
public:
  explicit timeout_tracking_clock(thread_safe_actor_clock& dispatcher) : dispatcher_(dispatcher) {}

  time_point now() const noexcept override { return dispatcher_.now(); }
  duration_type difference(caf::atom_value measurement, long units, time_point t0,
                           time_point t1) const noexcept override {
    return dispatcher_.difference(measurement, units, t0, t1);
  }
  void set_ordinary_timeout(time_point t, abstract_actor* self, caf::atom_value type,
                            std::uint64_t id) override {
    note(self);
    dispatcher_.set_ordinary_timeout(t, self, type, id);
  }
  void set_request_timeout(time_point t, abstract_actor* self, caf::message_id id) override {
    note(self);
    dispatcher_.set_request_timeout(t, self, id);
  }
  void set_multi_timeout(time_point t, abstract_actor* self, caf::atom_value type,
                         std::uint64_t id) override {
    note(self);
    dispatcher_.set_multi_timeout(t, self, type, id);
  }
  void cancel_ordinary_timeout(abstract_actor* self, caf::atom_value type) override {
    dispatcher_.cancel_ordinary_timeout(self, type);
  }
  void cancel_request_timeout(abstract_actor* self, caf::message_id id) override {
    dispatcher_.cancel_request_timeout(self, id);
  }
  void cancel_timeouts(abstract_actor* self) override {
    if (forget(self)) dispatcher_.cancel_timeouts(self);
  }
  void schedule_message(time_point t, caf::strong_actor_ptr receiver,
                        caf::mailbox_element_ptr content) override {
    dispatcher_.schedule_message(t, std::move(receiver), std::move(content));
  }
  void schedule_message(time_point t, caf::group target, caf::strong_actor_ptr sender,
                        caf::message content) override {
    dispatcher_.schedule_message(t, std::move(target), std::move(sender), std::move(content));
  }
  void cancel_all() override { dispatcher_.cancel_all(); }

private:
  void note(abstract_actor* self) {
    std::lock_guard<std::mutex> guard{lock_};
    with_timeouts_.insert(self->id());
  }
  bool forget(abstract_actor* self) {
    std::lock_guard<std::mutex> guard{lock_};
    return with_timeouts_.erase(self->id()) > 0;
  }

  thread_safe_actor_clock& dispatcher_;
  std::mutex lock_;
  std::unordered_set<caf::actor_id> with_timeouts_;
};

class etherbeam_scheduler final : public caf::scheduler::coordinator<caf::policy::work_stealing> {
public:
  using super = caf::scheduler::coordinator<caf::policy::work_stealing>;

  explicit etherbeam_scheduler(caf::actor_system& system) : super(system), clock_(super::clock()) {}

  thread_safe_actor_clock& clock() noexcept override { return clock_; }

  static caf::actor_system::module* make(caf::actor_system& system, caf::detail::type_list<>) {
    return new etherbeam_scheduler(system);
  }

private:
  timeout_tracking_clock clock_;
};

} // namespace

void configure_actor_runtime(caf::actor_system_config& cfg, std::size_t threads) {
  cfg.load<etherbeam_scheduler>();
  // CAF 0.17 starts at least 4 workers; more threads than cores only adds
  // wake-ups and switches between them.
  cfg.set("scheduler.max-threads", threads ? threads : std::max(1u, std::thread::hardware_concurrency()));
  // A worker out of work spins briefly, then sleeps on a condition variable
  // that new work signals. CAF's middle phase (500 sleeps of 50 us) woke each
  // worker ~20,000 times a second after every burst: with it, 1000 pings cost
  // 530 ms of CPU and 77,000 context switches; without, 220 ms and 11,000,
  // at the same round-trip time. The relaxed timeout only paces stealing:
  // CAF's 10 ms default woke every worker 100 times a second when idle.
  cfg.set("work-stealing.moderate-poll-attempts", 0);
  cfg.set("work-stealing.relaxed-sleep-duration", caf::timespan{std::chrono::milliseconds(500)});
}

} // namespace etherbeam::daemon
