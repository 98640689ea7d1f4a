#pragma once
// The durable store of the lease table: an append-only journal, one text line
// per lease change, each line sealed with a CRC-32 so that a torn or corrupt
// record (kill -9 or power loss mid-write) is found and skipped on replay.
// Changes are buffered by append() and made durable together by commit(): one
// write and one fdatasync for all the requests of a batch (group commit).
#include <cstddef>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "apps/dhcp/lease_table.hpp"

namespace etherbeam::apps::dhcp {

// A journal that cannot be opened, written or synced; the message says which
// file and what the system said.
struct journal_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct journal_replay {
  std::size_t records = 0;                // applied to the table
  std::size_t skipped = 0;                // torn or corrupt, left out
  std::vector<std::string> warnings;      // one per skipped record, for the log
};

// Records on their way to disk on another thread (the lease manager's
// journal writer), so that deciding the next requests never waits for a
// disk. Its descriptor is a duplicate of the journal's: the batch can
// outlive a journal reopened by compaction or a restart.
struct journal_batch {
  std::string records;
  int fd = -1;
  std::size_t durable_size = 0; // where the file is cut back to if the write fails
  std::filesystem::path path;
  journal_batch() = default;
  journal_batch(const journal_batch&) = delete;
  journal_batch& operator=(const journal_batch&) = delete;
  ~journal_batch();
};

class lease_journal {
public:
  // Opens `path` (creating it and its directory), replays it into `table`, and
  // cuts off a torn tail so that new records start on a clean line.
  lease_journal(const std::filesystem::path& path, lease_table& table, journal_replay& report);
  ~lease_journal();
  lease_journal(const lease_journal&) = delete;
  lease_journal& operator=(const lease_journal&) = delete;

  void append(const lease& l);
  bool has_pending() const { return !pending_.empty(); }
  // Writes what append() buffered and waits until it is on disk. On an I/O
  // error (journal_error) the file is cut back to its last whole record and
  // the records stay buffered for the next commit.
  void commit();

  // The same in three steps, one batch at a time: take_batch() hands the
  // buffered records over; write_batch() writes and syncs them (on any
  // thread: it touches no journal state) and throws journal_error having cut
  // the file back; then batch_written(), or batch_failed() which puts the
  // records back in front of what was appended meanwhile.
  std::unique_ptr<journal_batch> take_batch();
  static void write_batch(const journal_batch& batch);
  void batch_written(const journal_batch& batch);
  void batch_failed(journal_batch& batch);
  // Rewrites the journal as one record per lease of `table`, atomically (a
  // temporary file, synced, renamed over the journal, directory synced).
  void compact(const lease_table& table);

  // The same without stopping service, as Kea's lease file cleanup does:
  // begin_compaction() takes a snapshot and starts remembering appends;
  // write_snapshot() writes it to compaction_path() and may run on another
  // thread meanwhile (it touches no journal state); finish_compaction() adds
  // what was appended since the snapshot and swaps the files.
  std::vector<lease> begin_compaction(const lease_table& table);
  static void write_snapshot(const std::filesystem::path& to, const std::vector<lease>& snapshot);
  void finish_compaction(std::size_t snapshot_records);
  void abort_compaction();
  std::filesystem::path compaction_path() const;
  // Records in the file: what compaction would shrink.
  std::size_t records() const { return records_; }
  const std::filesystem::path& path() const { return path_; }

  // Replays `path` into `table` without changing the file: for readers such
  // as `etherbeam leases` while the server runs. Returns the bytes of good
  // records (where a torn tail begins). A missing file is an empty journal;
  // one that cannot be read (or is a link) throws journal_error.
  static std::size_t replay(const std::filesystem::path& path, lease_table& table, journal_replay& report);

  // One record as a line, and back; exposed for the unit tests.
  static std::string encode(const lease& l);
  static bool decode(std::string_view line, lease& out);

private:
  void open_for_append();

  std::filesystem::path path_;
  int fd_ = -1;
  std::size_t durable_size_ = 0; // bytes of the file known to hold whole records
  std::string pending_;
  std::size_t records_ = 0;
  bool compacting_ = false;
  std::string since_snapshot_; // records appended while a compaction runs
};

} // namespace etherbeam::apps::dhcp
