#include "actors/lease_manager.hpp"

#include <chrono>

#include <caf/actor_registry.hpp>
#include <caf/actor_system.hpp>
#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/send.hpp>
#include <caf/spawn_options.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <spdlog/spdlog.h>

#include "actors/lease_journal.hpp"
#include "actors/registered_name.hpp"

namespace etherbeam::actors {
// A copy of the lease table for the compaction writer to put on disk.
struct lease_snapshot {
  std::vector<lease> leases;
};
using write_snapshot_atom = caf::atom_constant<caf::atom("writesnap")>;
} // namespace etherbeam::actors

// Never leaves the process.
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(etherbeam::actors::lease_snapshot)

namespace etherbeam::actors {

namespace {

struct lease_manager_state {
  std::unique_ptr<dhcp_server> server;
  lease_table table;
  std::unique_ptr<lease_journal> journal;
  std::shared_ptr<stack_counters> counters;
  std::vector<dhcp_answer> waiting_for_commit;
  bool commit_scheduled = false;
  bool compacting = false;
  caf::actor compactor; // the compaction writer, linked: it ends with this actor
  std::size_t compaction_slack = 0;
  std::chrono::steady_clock::time_point gauges_updated{};
  static inline const char* name = "lease_manager";
};

using self_pointer = lease_manager_actor::stateful_pointer<lease_manager_state>;

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
           std::chrono::system_clock::now().time_since_epoch())
    .count();
}

// Pool use for the counters; a scan, so at most once a second.
void update_gauges(lease_manager_state& st, bool force = false) {
  auto now = std::chrono::steady_clock::now();
  if (!force && now - st.gauges_updated < std::chrono::seconds(1)) return;
  st.gauges_updated = now;
  std::uint64_t pool = 0, active = 0;
  for (const auto& s : st.server->settings().subnets)
    for (const auto& r : s.pools) pool += std::uint64_t(r.last.value) - r.first.value + 1;
  auto t = unix_now();
  st.table.for_each([&](const lease& l) { active += l.state == lease_state::bound && l.expires > t; });
  st.counters->dhcp_pool_size = pool;
  st.counters->dhcp_active_leases = active;
}

void pass_on(self_pointer self, dhcp_answer a) {
  auto dhcp = caf::actor_cast<dhcp_actor>(self->system().registry().get(dhcp_registry_name));
  if (dhcp) self->send(dhcp, dhcp_answer_atom::value, std::move(a));
}

dhcp_answer answer_of(const dhcp_inbound& in, const dhcp_outcome& outcome) {
  dhcp_answer a{in, *outcome.reply, {}, outcome.server_address};
  for (const auto& o : outcome.extra_options) a.extra.push_back({o.code, {o.value.begin(), o.value.end()}});
  return a;
}

void handle(self_pointer self, const dhcp_inbound& in) {
  auto& st = self->state;
  ++st.counters->dhcp_received[std::size_t(in.message.message_type)];
  auto outcome = st.server->handle(in, st.table, unix_now());
  ++st.counters->dhcp[std::size_t(outcome.event)];
  if (outcome.event == dhcp_event::pool_exhausted)
    spdlog::warn("dhcp: no address left to offer {} ({})", in.message.client_hardware.to_string(),
                 to_hex(client_key_of(in.message)));
  if (outcome.change) {
    st.table.put(*outcome.change);
    if (outcome.durable) {
      st.journal->append(*outcome.change);
      ++st.counters->journal_records;
    }
  }
  if (outcome.reply) {
    if (outcome.durable) st.waiting_for_commit.push_back(answer_of(in, outcome));
    else pass_on(self, answer_of(in, outcome));
  }
  // The commit message queues behind whatever has already arrived, so every
  // message in the mailbox now joins this commit.
  if (st.journal->has_pending() && !st.commit_scheduled) {
    st.commit_scheduled = true;
    self->send(self, commit_atom::value);
  }
}

void start_compaction(self_pointer self);

void commit(self_pointer self) {
  auto& st = self->state;
  auto started = std::chrono::steady_clock::now();
  st.journal->commit(); // throws on I/O errors: better restart than ACK what is not on disk
  auto took = std::chrono::steady_clock::now() - started;
  ++st.counters->journal_commits;
  st.counters->journal_commit_us += static_cast<std::uint64_t>(
    std::chrono::duration_cast<std::chrono::microseconds>(took).count());
  for (auto& a : st.waiting_for_commit) pass_on(self, std::move(a));
  st.waiting_for_commit.clear();
  st.commit_scheduled = false;
  update_gauges(st);
  if (!st.compacting && st.journal->records() > 2 * st.table.size() + st.compaction_slack)
    start_compaction(self);
}

// The snapshot is written by the compaction writer while this actor goes on
// serving; the records appended meanwhile are added when it reports back.
void start_compaction(self_pointer self) {
  auto& st = self->state;
  st.compacting = true;
  caf::anon_send(st.compactor, write_snapshot_atom::value, lease_snapshot{st.journal->begin_compaction(st.table)},
                 caf::actor_cast<lease_manager_actor>(self));
}

// One writer for the lease manager's life, on a thread of its own (writing a
// snapshot blocks on the disk). Long-lived rather than one per compaction:
// every new thread gets a malloc arena that keeps its high-water mark, and a
// soak showed etherbeam's memory stepping up with each fresh writer thread.
// The path argument also keeps CAF 0.17 from spawning a function actor
// without arguments (it dereferences a null tuple).
caf::behavior compaction_writer(caf::event_based_actor*, std::filesystem::path to) {
  return {[to](write_snapshot_atom, const lease_snapshot& snapshot, const lease_manager_actor& manager) {
    std::string error;
    try {
      lease_journal::write_snapshot(to, snapshot.leases);
    } catch (const journal_error& e) {
      error = e.what();
    }
    caf::anon_send(manager, snapshot_written_atom::value, snapshot.leases.size(), error);
  }};
}

void finish_compaction(self_pointer self, std::size_t records, const std::string& error) {
  auto& st = self->state;
  st.compacting = false;
  if (!error.empty()) {
    spdlog::warn("dhcp: lease journal compaction abandoned: {}", error);
    st.journal->abort_compaction();
    return;
  }
  auto before = st.journal->records();
  st.journal->finish_compaction(records);
  ++st.counters->journal_compactions;
  spdlog::info("dhcp: lease journal compacted from {} to {} records", before, st.journal->records());
}

lease_manager_actor::behavior_type lease_manager(self_pointer self, lease_manager_settings settings) {
  auto& st = self->state;
  st.counters = settings.counters;
  st.compaction_slack = settings.dhcp.compaction_slack;
  auto path = lease_journal_path(settings.dhcp.state_dir);
  journal_replay replay;
  try {
    st.journal = std::make_unique<lease_journal>(path, st.table, replay);
  } catch (const journal_error& e) {
    spdlog::error("dhcp: {}; check that the state directory exists and is writable by this user", e.what());
    throw;
  }
  for (const auto& w : replay.warnings) spdlog::warn("dhcp: {}", w);
  spdlog::info("dhcp: {} lease records loaded from {}{}", replay.records, path.string(),
               replay.skipped ? " (" + std::to_string(replay.skipped) + " skipped)" : std::string{});
  st.server = std::make_unique<dhcp_server>(std::move(settings.dhcp), std::move(settings.own_addresses));
  st.compactor = self->spawn<caf::detached + caf::linked>(compaction_writer, st.journal->compaction_path());
  // What was queued for a lease manager that died died with it: count afresh.
  st.counters->dhcp_backlog = 0;
  update_gauges(st, true);
  return {
    [self](dhcp_message_atom, const dhcp_inbound& in) {
      --self->state.counters->dhcp_backlog;
      handle(self, in);
    },
    [self](commit_atom) { commit(self); },
    [self](snapshot_written_atom, std::size_t records, const std::string& error) {
      finish_compaction(self, records, error);
    },
    [self](reload_atom, dhcp_settings& next) {
      auto& st = self->state;
      st.compaction_slack = next.compaction_slack;
      auto own = st.server->own_addresses();
      st.server = std::make_unique<dhcp_server>(std::move(next), std::move(own));
      st.table.forget_search_hints(); // what is usable may have changed
      update_gauges(st, true);
      spdlog::info("dhcp: configuration reloaded ({} subnets); {} lease records kept",
                   st.server->settings().subnets.size(), st.table.size());
    },
    [self](inject_fault_atom) {
      spdlog::warn("lease manager: fault injected, failing on purpose");
      self->quit(caf::sec::runtime_error);
    },
  };
}

} // namespace

std::filesystem::path lease_journal_path(const std::filesystem::path& state_dir) {
  return state_dir / "leases.journal";
}

lease_manager_actor spawn_lease_manager(caf::actor_system& system, lease_manager_settings settings) {
  auto actor = system.spawn<caf::detached>(lease_manager, std::move(settings));
  register_as(system, lease_manager_registry_name, caf::actor_cast<caf::actor>(actor));
  return actor;
}

} // namespace etherbeam::actors
