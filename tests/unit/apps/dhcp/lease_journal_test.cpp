#include "apps/dhcp/lease_journal.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <sys/resource.h>

#include <csignal>
#include <fstream>
#include "tests/unit/test_values.hpp"

using namespace etherbeam::apps::dhcp;
using namespace etherbeam::protocols;

namespace {

using etherbeam::testing::ip;

lease lease_of(const char* address, std::uint8_t client, lease_state state = lease_state::bound) {
  mac_address mac{{0x02, 0, 0, 0, 0, client}};
  return lease{ip(address), client_key_of(mac), mac, "host " + std::to_string(client), 1'800'000'000 + client, state};
}

class LeaseJournal : public ::testing::Test {
protected:
  LeaseJournal() {
    char tmpl[] = "/tmp/etherbeam-journal-XXXXXX";
    dir = ::mkdtemp(tmpl);
    path = dir / "state" / "leases.journal";
  }
  ~LeaseJournal() override { std::filesystem::remove_all(dir); }

  lease_table replay(journal_replay& report) {
    lease_table t;
    lease_journal j{path, t, report};
    return t;
  }
  std::string file() {
    std::ifstream in{path, std::ios::binary};
    return {std::istreambuf_iterator<char>(in), {}};
  }
  void overwrite(const std::string& content) { std::ofstream{path, std::ios::binary | std::ios::trunc} << content; }

  std::filesystem::path dir, path;
};

} // namespace

TEST(LeaseRecord, encodes_and_decodes_every_field) {
  auto l = lease_of("10.77.0.100", 7, lease_state::declined);
  l.host_name = "name with spaces\nand a newline";
  auto line = lease_journal::encode(l);
  EXPECT_EQ(line.back(), '\n');
  EXPECT_EQ(line.find('\n'), line.size() - 1) << "one record, one line";
  lease back;
  ASSERT_TRUE(lease_journal::decode(std::string_view{line}.substr(0, line.size() - 1), back));
  EXPECT_EQ(back.address, l.address);
  EXPECT_EQ(back.client, l.client);
  EXPECT_EQ(back.mac, l.mac);
  EXPECT_EQ(back.host_name, l.host_name);
  EXPECT_EQ(back.expires, l.expires);
  EXPECT_EQ(back.state, lease_state::declined);
}

TEST_F(LeaseJournal, commits_survive_reopening_and_the_latest_record_wins) {
  {
    lease_table t;
    journal_replay r;
    lease_journal j{path, t, r};
    EXPECT_EQ(r.records, 0u);
    j.append(lease_of("10.77.0.100", 1));
    j.append(lease_of("10.77.0.101", 2));
    j.append(lease_of("10.77.0.100", 1, lease_state::released));
    EXPECT_TRUE(j.has_pending());
    j.commit();
    EXPECT_FALSE(j.has_pending());
  }
  journal_replay r;
  auto t = replay(r);
  EXPECT_EQ(r.records, 3u);
  EXPECT_EQ(r.skipped, 0u);
  ASSERT_EQ(t.size(), 2u);
  EXPECT_EQ(t.by_address(ip("10.77.0.100"))->state, lease_state::released);
  EXPECT_EQ(t.by_address(ip("10.77.0.101"))->host_name, "host 2");
}

TEST_F(LeaseJournal, appends_that_were_not_committed_are_not_on_disk) {
  {
    lease_table t;
    journal_replay r;
    lease_journal j{path, t, r};
    j.append(lease_of("10.77.0.100", 1));
  }
  journal_replay r;
  EXPECT_EQ(replay(r).size(), 0u);
}

TEST_F(LeaseJournal, a_torn_tail_is_skipped_with_a_warning_and_cut_off) {
  auto first = lease_journal::encode(lease_of("10.77.0.100", 1));
  auto second = lease_journal::encode(lease_of("10.77.0.101", 2));
  std::filesystem::create_directories(path.parent_path());
  overwrite(first + second.substr(0, 20)); // power lost in the middle of the second
  {
    lease_table t;
    journal_replay r;
    lease_journal j{path, t, r};
    EXPECT_EQ(r.records, 1u);
    EXPECT_EQ(r.skipped, 1u);
    ASSERT_EQ(r.warnings.size(), 1u);
    EXPECT_NE(r.warnings[0].find("line 2: incomplete last record"), std::string::npos) << r.warnings[0];
    EXPECT_EQ(file(), first) << "the torn tail is cut so new records start on a clean line";
    j.append(lease_of("10.77.0.102", 3));
    j.commit();
  }
  journal_replay r;
  auto t = replay(r);
  EXPECT_EQ(r.skipped, 0u);
  EXPECT_EQ(t.size(), 2u);
}

TEST_F(LeaseJournal, a_corrupt_record_in_the_middle_is_skipped_and_the_rest_applied) {
  auto a = lease_journal::encode(lease_of("10.77.0.100", 1));
  auto b = lease_journal::encode(lease_of("10.77.0.101", 2));
  auto c = lease_journal::encode(lease_of("10.77.0.102", 3));
  b[5] = b[5] == '7' ? '8' : '7'; // a flipped digit: the CRC no longer matches
  std::filesystem::create_directories(path.parent_path());
  overwrite(a + b + c + "garbage without a checksum\n");
  journal_replay r;
  auto t = replay(r);
  EXPECT_EQ(r.records, 2u);
  EXPECT_EQ(r.skipped, 2u);
  EXPECT_TRUE(t.by_address(ip("10.77.0.100")));
  EXPECT_FALSE(t.by_address(ip("10.77.0.101")));
  EXPECT_TRUE(t.by_address(ip("10.77.0.102")));
}

TEST_F(LeaseJournal, compaction_keeps_one_record_per_lease_and_loses_nothing) {
  lease_table t;
  journal_replay r;
  lease_journal j{path, t, r};
  for (int round = 0; round < 20; ++round) {
    for (std::uint8_t c = 1; c <= 10; ++c) {
      auto l = lease_of(("10.77.0." + std::to_string(100 + c)).c_str(), c);
      l.expires += round;
      t.put(l);
      j.append(l);
    }
    j.commit();
  }
  EXPECT_EQ(j.records(), 200u);
  t.put(lease_of("10.77.0.150", 50, lease_state::offered)); // in memory only
  auto pending = lease_of("10.77.0.160", 60);
  t.put(pending);
  j.append(pending); // appended but not yet committed when compaction starts
  j.compact(t);
  EXPECT_EQ(j.records(), 11u);
  auto later = lease_of("10.77.0.170", 70);
  t.put(later);
  j.append(later);
  j.commit();

  journal_replay again;
  auto replayed = replay(again);
  EXPECT_EQ(again.skipped, 0u);
  EXPECT_EQ(replayed.size(), 12u) << "10 leases, the pending one and the later one; not the offer";
  EXPECT_EQ(replayed.by_address(ip("10.77.0.101"))->expires, 1'800'000'001 + 19);
  EXPECT_FALSE(std::filesystem::exists(path.string() + ".compacting"));
}

TEST_F(LeaseJournal, an_unwritable_state_directory_is_reported_with_its_path) {
  std::filesystem::create_directories(dir / "file");
  std::ofstream{dir / "blocker"} << "x";
  lease_table t;
  journal_replay r;
  try {
    lease_journal j{dir / "blocker" / "leases.journal", t, r};
    FAIL() << "expected journal_error";
  } catch (const journal_error& e) {
    EXPECT_NE(std::string(e.what()).find((dir / "blocker").string()), std::string::npos) << e.what();
  }
}

TEST_F(LeaseJournal, compaction_keeps_serving_while_the_snapshot_is_written) {
  lease_table t;
  journal_replay r;
  lease_journal j{path, t, r};
  for (std::uint8_t c = 1; c <= 5; ++c) {
    auto l = lease_of(("10.77.0." + std::to_string(100 + c)).c_str(), c);
    t.put(l);
    j.append(l);
    j.append(l); // renewed: two records for one lease
  }
  j.commit();
  auto snapshot = j.begin_compaction(t);
  EXPECT_EQ(snapshot.size(), 5u);
  // Service goes on while the snapshot is being written: a commit, and a pending append.
  auto during = lease_of("10.77.0.120", 20);
  t.put(during);
  j.append(during);
  j.commit();
  lease_journal::write_snapshot(j.compaction_path(), snapshot);
  auto pending = lease_of("10.77.0.121", 21, lease_state::released);
  t.put(pending);
  j.append(pending);
  j.finish_compaction(snapshot.size());
  EXPECT_EQ(j.records(), 7u);
  EXPECT_FALSE(std::filesystem::exists(j.compaction_path()));

  journal_replay again;
  auto replayed = replay(again);
  EXPECT_EQ(again.records, 7u);
  EXPECT_EQ(replayed.size(), 7u);
  EXPECT_EQ(replayed.by_address(ip("10.77.0.121"))->state, lease_state::released);
}

TEST_F(LeaseJournal, a_compaction_left_half_done_is_cleared_on_start) {
  {
    lease_table t;
    journal_replay r;
    lease_journal j{path, t, r};
    j.append(lease_of("10.77.0.100", 1));
    j.commit();
    j.begin_compaction(t);
    std::ofstream{j.compaction_path()} << "half a snapshot";
  }
  journal_replay r;
  lease_table t;
  lease_journal j{path, t, r};
  EXPECT_FALSE(std::filesystem::exists(j.compaction_path()));
  EXPECT_EQ(t.size(), 1u);
}

// Hardening: journal damage loses no more than the damaged record (issue 9, finding 7).

TEST_F(LeaseJournal, a_run_of_nul_bytes_does_not_take_the_next_record_with_it) {
  auto a = lease_journal::encode(lease_of("10.77.0.100", 1));
  auto b = lease_journal::encode(lease_of("10.77.0.101", 2));
  auto c = lease_journal::encode(lease_of("10.77.0.102", 3));
  std::filesystem::create_directories(path.parent_path());
  // A crash after the file grew but before its blocks were written: zeros
  // where a record should be, and the next record right behind them.
  overwrite(a + std::string(4096, '\0') + b + std::string(100, '\0') + c.substr(0, 20) + c);
  journal_replay r;
  auto t = replay(r);
  EXPECT_EQ(r.records, 3u);
  EXPECT_TRUE(t.by_address(ip("10.77.0.100")));
  EXPECT_TRUE(t.by_address(ip("10.77.0.101")));
  EXPECT_TRUE(t.by_address(ip("10.77.0.102")));
  EXPECT_EQ(r.skipped, 2u);
}

TEST_F(LeaseJournal, a_journal_that_cannot_be_read_is_an_error_not_an_empty_table) {
  std::filesystem::create_directories(path.parent_path());
  std::filesystem::create_symlink("/etc/passwd", path);
  lease_table t;
  journal_replay r;
  EXPECT_THROW(lease_journal::replay(path, t, r), journal_error);
  EXPECT_THROW(lease_journal(path, t, r), journal_error); // never written through a link
}

// The lease manager's pipelined commit: a batch is written elsewhere while
// records keep coming; a failed batch is cut back and its records go back in
// front of the newer ones, so the retry writes them all in order.
TEST_F(LeaseJournal, a_batch_written_elsewhere_fails_whole_and_is_retried_before_newer_records) {
  lease_table t;
  journal_replay r;
  lease_journal j{path, t, r};
  j.append(lease_of("10.77.0.100", 1));
  auto first = j.take_batch();
  EXPECT_FALSE(j.has_pending());
  lease_journal::write_batch(*first);
  j.batch_written(*first);
  auto good = file();
  ::rlimit old{};
  ::getrlimit(RLIMIT_FSIZE, &old);
  auto old_handler = std::signal(SIGXFSZ, SIG_IGN);
  ::rlimit tight = old;
  tight.rlim_cur = good.size() + 30;
  ::setrlimit(RLIMIT_FSIZE, &tight);
  j.append(lease_of("10.77.0.101", 2));
  j.append(lease_of("10.77.0.102", 3));
  auto second = j.take_batch();
  j.append(lease_of("10.77.0.103", 4)); // decided while the batch is written
  EXPECT_THROW(lease_journal::write_batch(*second), journal_error);
  EXPECT_EQ(file(), good); // cut back to the last whole record
  j.batch_failed(*second);
  ::setrlimit(RLIMIT_FSIZE, &old);
  std::signal(SIGXFSZ, old_handler);
  j.commit();
  journal_replay after;
  auto replayed = replay(after);
  EXPECT_EQ(after.skipped, 0u);
  EXPECT_EQ(replayed.size(), 4u);
  EXPECT_EQ(file().substr(0, good.size()), good);
  EXPECT_LT(file().find("10.77.0.101"), file().find("10.77.0.103")) << "the failed batch goes first";
}

TEST_F(LeaseJournal, a_failed_commit_keeps_its_records_and_leaves_no_half_record) {
  lease_table t;
  journal_replay r;
  lease_journal j{path, t, r};
  j.append(lease_of("10.77.0.100", 1));
  j.commit();
  auto good = file();
  // A file size limit stands in for a full disk: the write stops part-way
  // through the batch, then fails (EFBIG instead of ENOSPC).
  ::rlimit old{};
  ::getrlimit(RLIMIT_FSIZE, &old);
  auto old_handler = std::signal(SIGXFSZ, SIG_IGN);
  ::rlimit tight = old;
  tight.rlim_cur = good.size() + 30;
  ::setrlimit(RLIMIT_FSIZE, &tight);
  j.append(lease_of("10.77.0.101", 2));
  j.append(lease_of("10.77.0.102", 3));
  EXPECT_THROW(j.commit(), journal_error);
  EXPECT_TRUE(j.has_pending());
  EXPECT_EQ(file(), good); // cut back to the last whole record
  ::setrlimit(RLIMIT_FSIZE, &old);
  std::signal(SIGXFSZ, old_handler);
  j.commit(); // room again: the retry writes the same records, whole
  EXPECT_FALSE(j.has_pending());
  journal_replay after;
  auto replayed = replay(after);
  EXPECT_EQ(after.skipped, 0u);
  EXPECT_EQ(replayed.size(), 3u);
}
