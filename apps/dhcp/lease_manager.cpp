#include "apps/dhcp/lease_manager.hpp"

#include <algorithm>
#include <chrono>
#include <map>
#include <optional>

#include <caf/actor_registry.hpp>
#include <caf/actor_system.hpp>
#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/send.hpp>
#include <caf/spawn_options.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <caf/typed_response_promise.hpp>
#include <sys/socket.h>
#include <spdlog/spdlog.h>

#include "apps/dhcp/lease_journal.hpp"
#include "apps/dhcp/client_rate_limit.hpp"
#include "apps/dhcp/lease_api.hpp"
#include "apps/dhcp/lease_listing.hpp"
#include "apps/dhcp/pool_watch.hpp"
#include "ipc/socket_pair.hpp"
#include "actors/registered_name.hpp"

namespace etherbeam::apps::dhcp {
// A copy of the lease table for the compaction writer to put on disk.
struct lease_snapshot {
  std::vector<lease> leases;
};
using write_snapshot_atom = caf::atom_constant<caf::atom("writesnap")>;
using write_batch_atom = caf::atom_constant<caf::atom("writebatch")>;
} // namespace etherbeam::apps::dhcp

// Never leaves the process.
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(etherbeam::apps::dhcp::lease_snapshot)

namespace etherbeam::apps::dhcp {

namespace {

using steady = std::chrono::steady_clock;

// A journal that cannot be written (a full disk, an I/O error) costs DHCP
// only: no ACK leaves until its record is on disk, so requests go unanswered
// (clients retry; a renewing client keeps its address until its lease ends,
// which a NAK would take from it). Writes are tried again with back-off,
// 1 s doubling to 30 s, and service resumes by itself once one succeeds. One
// log line when an episode starts, one when it ends.
struct journal_trouble {
  static constexpr auto first_delay = std::chrono::seconds(1);
  static constexpr auto longest_delay = std::chrono::seconds(30);
  bool failing = false;
  steady::time_point retry_at{}, since{};
  steady::duration delay{};
  std::uint64_t unanswered = 0;

  bool may_try(steady::time_point now) const { return !failing || now >= retry_at; }
  // Returns whether this failure starts an episode (and so deserves a log line).
  bool failed(steady::time_point now) {
    bool first = !failing;
    if (first) {
      failing = true;
      since = now;
      delay = first_delay;
    } else {
      delay = std::min<steady::duration>(delay * 2, longest_delay);
    }
    retry_at = now + delay;
    return first;
  }
};

// DECLINEs accepted per client: one per interval. Only a client holding the
// address by an ACK may decline it at all (dhcp_server), and this keeps one
// client from burning the pool an address at a time.
struct decline_limiter {
  static constexpr std::int64_t interval_s = 60;
  static constexpr std::size_t remembered = 4096;
  std::map<client_key, std::int64_t> last;

  bool allows(const client_key& c, std::int64_t now) {
    if (last.size() >= remembered) std::erase_if(last, [&](const auto& e) { return now - e.second >= interval_s; });
    auto [it, fresh] = last.try_emplace(c, now);
    if (fresh) return last.size() <= remembered;
    if (now - it->second < interval_s) return false;
    it->second = now;
    return true;
  }
};

// What waits for a batch of records to be on disk: the DHCP answers, the
// lease API's replies and the watchers' events.
struct held_until_durable {
  std::vector<dhcp_answer> answers;
  std::vector<std::pair<caf::typed_response_promise<std::string>, std::string>> api;
  std::vector<std::string> events;
};

struct lease_manager_state {
  std::unique_ptr<dhcp_server> server;
  lease_table table;
  std::unique_ptr<lease_journal> journal;
  std::shared_ptr<dhcp_counters> counters;
  std::shared_ptr<actors::admission_gate> backlog;
  held_until_durable waiting_for_commit; // for the batch forming now
  bool commit_scheduled = false;
  // The journal writer (a thread of its own) and the batch it is writing:
  // while it writes, requests go on being decided and the next batch forms.
  caf::actor journal_writer;
  bool writing = false;
  steady::time_point write_started{};
  held_until_durable in_write;
  // A compaction that finished while a batch was being written: its files
  // are swapped once the batch is on disk.
  std::optional<std::pair<std::size_t, std::string>> compaction_waiting;
  bool compacting = false;
  caf::actor compactor; // the compaction writer, linked: it ends with this actor
  std::size_t compaction_slack = 0;
  std::chrono::steady_clock::time_point gauges_updated{};
  journal_trouble trouble;          // commits failing: when to try again
  journal_trouble compaction_trouble;
  decline_limiter declines;
  std::unique_ptr<pool_watch> pools;
  std::unique_ptr<client_rate_limit> per_client;
  bool gauges_refresh_queued = false;
  std::vector<ipc::unique_fd> watchers;
  std::int64_t expiry_seen_until = 0; // expired events said up to this time
  static inline const char* name = "lease_manager";
};

using self_pointer = lease_manager_actor::stateful_pointer<lease_manager_state>;

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
           std::chrono::system_clock::now().time_since_epoch())
    .count();
}

// Pool use for the counters; a scan, so at most once a second. False: not
// now (refresh_later() makes sure it happens).
bool update_gauges(lease_manager_state& st, bool force = false) {
  auto now = std::chrono::steady_clock::now();
  if (!force && now - st.gauges_updated < std::chrono::seconds(1)) return false;
  st.gauges_updated = now;
  auto& c = *st.counters;
  std::vector<pool_use> use(c.subnets.size());
  std::uint64_t pool = 0, active = 0;
  for (const auto& s : st.server->settings().subnets) {
    std::uint64_t size = 0;
    for (const auto& r : s.pools) size += std::uint64_t(r.last.value) - r.first.value + 1;
    pool += size;
    for (std::size_t i = 0; i < c.subnets.size(); ++i)
      if (c.subnets[i].network == s.network) use[i].total = size;
  }
  auto t = unix_now();
  st.table.for_each([&](const lease& l) {
    bool bound = l.state == lease_state::bound && l.expires > t;
    bool declined = l.state == lease_state::declined && l.expires > t;
    active += bound;
    for (std::size_t i = 0; i < c.subnets.size(); ++i) {
      auto mask = c.subnets[i].network.netmask();
      if ((l.address.value & mask) == (c.subnets[i].network.address.value & mask))
        use[i].assigned += bound, use[i].declined += declined;
    }
  });
  c.pool_size.value = pool;
  c.active_leases.value = active;
  for (std::size_t i = 0; i < c.subnets.size(); ++i) {
    c.subnets[i].total.value = use[i].total;
    c.subnets[i].assigned.value = use[i].assigned;
    c.subnets[i].declined.value = use[i].declined;
  }
  st.pools->check(
    use,
    [&](std::size_t i) {
      ++c.pool_usage_warnings;
      spdlog::warn("dhcp: subnet {} is {:.0f}% used ({} of {} addresses leased, {} held after a DECLINE); add a "
                   "pool or shorten lease_time before it runs out",
                   c.subnets[i].network.to_string(), use[i].used_percent(), use[i].assigned, use[i].total,
                   use[i].declined);
    },
    [&](std::size_t i) {
      spdlog::info("dhcp: subnet {} is {:.0f}% used again", c.subnets[i].network.to_string(),
                   use[i].used_percent());
    });
  return true;
}

// Says one lease event to everyone watching. A watcher that cannot keep up
// loses the event (counted); one that went away is forgotten.
void tell_watchers(lease_manager_state& st, const std::string& line) {
  std::erase_if(st.watchers, [&](const ipc::unique_fd& fd) {
    if (::send(fd.get(), line.data(), line.size(), MSG_DONTWAIT | MSG_NOSIGNAL) >= 0) return false;
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
      ++st.counters->watch_events_dropped;
      return false;
    }
    return true;
  });
}

// A durable change: into the table and the journal, and its event queued
// for the watchers until the commit. `event` overrides what the change says.
void record_change(lease_manager_state& st, const lease& change, std::optional<lease_event> event, std::int64_t now) {
  // What the change means is worked out only for someone watching: no copy
  // of the lease it replaces on every ACK otherwise.
  if (!st.watchers.empty() && !event) event = event_of(st.table.by_address(change.address), change);
  st.table.put(change);
  st.journal->append(change);
  ++st.counters->journal_records;
  if (event && !st.watchers.empty()) st.waiting_for_commit.events.push_back(watch_line(*event, change, now));
}

// Leases that ran out since the last look, said to the watchers.
void say_expired(lease_manager_state& st, std::int64_t now) {
  if (st.watchers.empty()) return;
  auto since = st.expiry_seen_until ? st.expiry_seen_until : now;
  st.table.for_each([&](const lease& l) {
    if (l.state == lease_state::bound && l.expires > since && l.expires <= now)
      tell_watchers(st, watch_line(lease_event::expired, l, now));
  });
  st.expiry_seen_until = now;
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
  ++*st.counters->received[std::size_t(in.message.message_type)];
  // Off by default: then no client key is made (a heap allocation) per message.
  auto verdict = st.per_client->enabled() ? st.per_client->check(client_key_of(in.message), steady::now())
                                          : client_rate_limit::verdict::allowed;
  switch (verdict) {
    case client_rate_limit::verdict::allowed: break;
    case client_rate_limit::verdict::limited_first_of_episode:
      spdlog::warn("dhcp: {} ({}) sends more than client_rate_limit allows; ignoring its excess until it slows "
                   "down (said once per episode, counted as dhcp.client_rate_limited)",
                   in.message.client_hardware.to_string(), to_hex(client_key_of(in.message)));
      [[fallthrough]];
    case client_rate_limit::verdict::limited: ++st.counters->client_rate_limited; return;
  }
  auto now = unix_now();
  auto outcome = st.server->handle(in, st.table, now);
  if (outcome.durable && !st.trouble.may_try(steady::now())) {
    ++st.trouble.unanswered; // nothing changes, nothing is said: the client asks again
    ++st.counters->unanswered_journal_failing;
    return;
  }
  if (outcome.event == dhcp_event::declined) {
    if (!st.declines.allows(outcome.change->client, now)) {
      spdlog::warn("dhcp: DECLINE of {} by {} ignored: one DECLINE per client per {} s",
                   outcome.change->address.to_string(), in.message.client_hardware.to_string(),
                   decline_limiter::interval_s);
      ++st.counters->declines_rate_limited;
      return;
    }
    spdlog::warn("dhcp: {} declined {} (in use by another host?); held back for {} s",
                 in.message.client_hardware.to_string(), outcome.change->address.to_string(),
                 outcome.change->expires - now);
  }
  ++*st.counters->events[std::size_t(outcome.event)];
  if (outcome.event == dhcp_event::pool_exhausted)
    spdlog::warn("dhcp: no address left to offer {} ({})", in.message.client_hardware.to_string(),
                 to_hex(client_key_of(in.message)));
  if (outcome.event == dhcp_event::not_its_lease && in.message.message_type == protocols::dhcp_message_type::decline)
    spdlog::info("dhcp: DECLINE from {} ignored: it holds no lease on that address",
                 in.message.client_hardware.to_string());
  if (outcome.change) {
    if (outcome.durable) record_change(st, *outcome.change, std::nullopt, now);
    else st.table.put(*outcome.change);
  }
  if (outcome.reply) {
    if (outcome.durable) st.waiting_for_commit.answers.push_back(answer_of(in, outcome));
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

// Their records are on disk: the answers leave, the API replies, the watchers hear.
void release(self_pointer self, held_until_durable& held) {
  for (auto& a : held.answers) pass_on(self, std::move(a));
  held.answers.clear();
  for (auto& [promise, reply] : held.api) promise.deliver(std::move(reply));
  held.api.clear();
  for (const auto& line : held.events) tell_watchers(self->state, line);
  held.events.clear();
}

void finish_compaction(self_pointer self, std::size_t records, const std::string& error);
void batch_failed(self_pointer self, const std::string& error, steady::time_point started);

// Pipelined group commit: what was appended since the last batch goes to
// the journal writer as one batch, and the answers waiting for it go with
// it; while it is written the next batch forms. Only one at a time.
void commit(self_pointer self) {
  auto& st = self->state;
  st.commit_scheduled = false;
  if (st.writing) return; // batch_written() starts the next one
  auto started = steady::now();
  if (!st.journal->has_pending()) {
    // Nothing to write can still mean replies waiting: a compaction's finish
    // commits what was pending, and their answers go out here.
    release(self, st.waiting_for_commit);
    return;
  }
  if (!st.trouble.may_try(started)) { // early: come back when the retry is due
    self->delayed_send(self, st.trouble.retry_at - started, commit_atom::value);
    st.commit_scheduled = true;
    return;
  }
  std::shared_ptr<journal_batch> batch;
  try {
    batch = st.journal->take_batch();
  } catch (const journal_error& e) {
    return batch_failed(self, e.what(), started);
  }
  st.writing = true;
  st.write_started = started;
  std::swap(st.in_write, st.waiting_for_commit);
  caf::anon_send(st.journal_writer, write_batch_atom::value, std::move(batch), caf::actor_cast<lease_manager_actor>(self));
}

// Not one ACK for what is not on disk: the answers waiting for this batch
// are dropped, its records stay pending for the retry.
void batch_failed(self_pointer self, const std::string& error, steady::time_point started) {
  auto& st = self->state;
  st.trouble.unanswered += st.in_write.answers.size();
  st.counters->unanswered_journal_failing += st.in_write.answers.size();
  st.in_write.answers.clear();
  for (auto& [promise, reply] : st.in_write.api)
    promise.deliver(lease_api_refusal("the lease journal cannot be written: " + error));
  st.in_write.api.clear();
  st.in_write.events.clear();
  ++st.counters->journal_write_errors;
  if (st.trouble.failed(started))
    spdlog::error("dhcp: {}; no DHCP ACK until the lease journal can be written again (retrying with "
                  "back-off up to {} s); ARP and ping are not affected", error, journal_trouble::longest_delay.count());
  if (!st.commit_scheduled) {
    self->delayed_send(self, st.trouble.delay, commit_atom::value);
    st.commit_scheduled = true;
  }
}

void batch_written(self_pointer self, journal_batch& batch, const std::string& error) {
  auto& st = self->state;
  st.writing = false;
  if (!error.empty()) {
    st.journal->batch_failed(batch);
    batch_failed(self, error, st.write_started);
  } else {
    st.journal->batch_written(batch);
    if (st.trouble.failing) {
      spdlog::info("dhcp: lease journal written again after {} s; {} requests went unanswered meanwhile",
                   std::chrono::duration_cast<std::chrono::seconds>(st.write_started - st.trouble.since).count(),
                   st.trouble.unanswered);
      st.trouble = {};
    }
    auto took = steady::now() - st.write_started;
    ++st.counters->journal_commits;
    auto took_us = static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(took).count());
    st.counters->journal_commit_us += took_us;
    st.counters->journal_commit.observe(took_us);
    release(self, st.in_write);
    if (!update_gauges(st) && !st.gauges_refresh_queued) {
      st.gauges_refresh_queued = true;
      self->delayed_send(self, std::chrono::seconds(1), refresh_gauges_atom::value);
    }
  }
  if (st.compaction_waiting) {
    auto [records, why] = std::move(*st.compaction_waiting);
    st.compaction_waiting.reset();
    finish_compaction(self, records, why);
  }
  if (error.empty() && !st.compacting && st.compaction_trouble.may_try(steady::now()) &&
      st.journal->records() > 2 * st.table.size() + st.compaction_slack)
    start_compaction(self);
  // What was decided during the write forms the next batch at once.
  if (!st.commit_scheduled && (st.journal->has_pending() || !st.waiting_for_commit.answers.empty())) commit(self);
}

// One journal writer for the lease manager's life, on a thread of its own
// (an fdatasync blocks), like the compaction writer below. The records
// argument keeps CAF 0.17 from spawning a function actor without arguments.
caf::behavior journal_writer(caf::event_based_actor*, std::filesystem::path) {
  return {[](write_batch_atom, std::shared_ptr<journal_batch>& batch, const lease_manager_actor& manager) {
    std::string error;
    try {
      lease_journal::write_batch(*batch);
    } catch (const journal_error& e) {
      error = e.what();
      if (error.empty()) error = "lease journal write failed";
    }
    caf::anon_send(manager, batch_written_atom::value, std::move(batch), std::move(error));
  }};
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

// A compaction that fails (a full disk) is tried again only after a back-off,
// not at the next commit.
void compaction_failed(lease_manager_state& st, const std::string& error) {
  st.journal->abort_compaction();
  if (st.compaction_trouble.failed(steady::now()))
    spdlog::warn("dhcp: lease journal compaction abandoned: {}; trying again with back-off", error);
}

void finish_compaction(self_pointer self, std::size_t records, const std::string& error) {
  auto& st = self->state;
  if (st.writing) { // the files are swapped between batches, never under one
    st.compaction_waiting.emplace(records, error);
    return;
  }
  st.compacting = false;
  if (!error.empty()) return compaction_failed(st, error);
  auto before = st.journal->records();
  try {
    st.journal->finish_compaction(records);
  } catch (const journal_error& e) {
    return compaction_failed(st, e.what());
  }
  st.compaction_trouble = {};
  ++st.counters->journal_compactions;
  spdlog::info("dhcp: lease journal compacted from {} to {} records", before, st.journal->records());
}

// After a reload: active leases that no configured subnet holds any more
// are kept on record, but their clients will be NAKed or ignored at renewal.
void warn_of_orphaned_leases(lease_manager_state& st) {
  auto now = unix_now();
  std::size_t orphaned = 0;
  std::string examples;
  st.table.for_each([&](const lease& l) {
    if (l.state != lease_state::bound || l.expires <= now) return;
    if (st.server->settings().subnet_containing(l.address)) return;
    if (++orphaned <= 3) examples += (examples.empty() ? "" : ", ") + l.address.to_string();
  });
  if (orphaned)
    spdlog::warn("dhcp: {} active lease{} in no configured subnet any more (e.g. {}): their clients lose "
                 "them at renewal; restore the subnet to keep them", orphaned, orphaned == 1 ? " is" : "s are",
                 examples);
}

lease_manager_actor::behavior_type lease_manager(self_pointer self, lease_manager_settings settings) {
  auto& st = self->state;
  st.counters = settings.counters;
  st.backlog = settings.backlog;
  st.compaction_slack = settings.dhcp.compaction_slack;
  st.pools = std::make_unique<pool_watch>(settings.dhcp.pool_warning_percent);
  st.per_client = std::make_unique<client_rate_limit>(settings.dhcp.client_rate_limit);
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
  st.compactor = settings.own_threads
                   ? self->spawn<caf::detached + caf::linked>(compaction_writer, st.journal->compaction_path())
                   : self->spawn<caf::linked>(compaction_writer, st.journal->compaction_path());
  st.journal_writer = settings.own_threads ? self->spawn<caf::detached + caf::linked>(journal_writer, path)
                                           : self->spawn<caf::linked>(journal_writer, path);
  // What was queued for a lease manager that died died with it: count afresh.
  st.backlog->reset();
  update_gauges(st, true);
  return {
    [self](dhcp_message_atom, const dhcp_inbound& in) {
      self->state.backlog->leave();
      handle(self, in);
    },
    [self](commit_atom) { commit(self); },
    [self](batch_written_atom, std::shared_ptr<journal_batch>& batch, const std::string& error) {
      batch_written(self, *batch, error);
    },
    [self](lease_api_atom, const std::string& command, const std::string& arguments) -> caf::result<std::string> {
      auto& st = self->state;
      auto now = unix_now();
      auto a = lease_api(command, arguments, st.table, st.server->settings(), st.server->own_addresses(), now);
      if (a.changes.empty()) return a.reply;
      if (!st.trouble.may_try(steady::now()))
        return lease_api_refusal("the lease journal cannot be written now; try again later");
      for (const auto& c : a.changes) record_change(st, c, a.event, now);
      spdlog::info("dhcp: {} changed {} lease(s) through the control socket", command, a.changes.size());
      auto promise = self->make_response_promise<std::string>();
      st.waiting_for_commit.api.emplace_back(promise, std::move(a.reply));
      if (!st.commit_scheduled) {
        st.commit_scheduled = true;
        self->send(self, commit_atom::value);
      }
      return promise;
    },
    [self](list_leases_atom, bool as_json, bool all) -> std::string {
      return render_leases(self->state.table, unix_now(), {as_json, all});
    },
    [self](watch_atom, int fd) {
      auto& st = self->state;
      static const std::string watching = R"({"result": 0, "text": "watching lease events"})";
      ::send(fd, watching.data(), watching.size(), MSG_NOSIGNAL);
      st.watchers.emplace_back(fd);
      if (st.watchers.size() == 1) {
        st.expiry_seen_until = unix_now();
        self->delayed_send(self, std::chrono::seconds(1), expiry_tick_atom::value);
      }
    },
    [self](expiry_tick_atom) {
      auto& st = self->state;
      say_expired(st, unix_now());
      if (!st.watchers.empty()) self->delayed_send(self, std::chrono::seconds(1), expiry_tick_atom::value);
    },
    [self](refresh_gauges_atom) {
      self->state.gauges_refresh_queued = false;
      update_gauges(self->state, true);
    },
    [self](snapshot_written_atom, std::size_t records, const std::string& error) {
      finish_compaction(self, records, error);
    },
    [self](reload_atom, dhcp_settings& next) {
      auto& st = self->state;
      st.compaction_slack = next.compaction_slack;
      st.pools = std::make_unique<pool_watch>(next.pool_warning_percent);
      st.per_client = std::make_unique<client_rate_limit>(next.client_rate_limit);
      auto own = st.server->own_addresses();
      st.server = std::make_unique<dhcp_server>(std::move(next), std::move(own));
      st.table.forget_search_hints(); // what is usable may have changed
      update_gauges(st, true);
      warn_of_orphaned_leases(st);
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
  auto actor = settings.own_threads ? system.spawn<caf::detached>(lease_manager, std::move(settings))
                                    : system.spawn(lease_manager, std::move(settings));
  actors::register_as(system, lease_manager_registry_name, caf::actor_cast<caf::actor>(actor));
  return actor;
}

} // namespace etherbeam::apps::dhcp
