#include "apps/dhcp/lease_journal.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <cerrno>
#include <charconv>
#include <algorithm>
#include <cstring>
#include <fstream>
#include <sstream>

namespace etherbeam::apps::dhcp {

using namespace protocols;

namespace {

constexpr std::string_view record_tag = "L1";

[[noreturn]] void fail(const std::string& what, const std::filesystem::path& p) {
  throw journal_error(what + " " + p.string() + ": " + std::strerror(errno));
}

std::string hex_or_dash(std::string_view bytes) { return bytes.empty() ? "-" : hex_digits(bytes); }

bool from_hex_or_dash(std::string_view text, std::string& out) {
  out.clear();
  if (text == "-") return true;
  if (text.size() % 2) return false;
  for (std::size_t i = 0; i < text.size(); i += 2) {
    unsigned v = 0;
    auto [_, ec] = std::from_chars(text.data() + i, text.data() + i + 2, v, 16);
    if (ec != std::errc{}) return false;
    out += static_cast<char>(v);
  }
  return true;
}

std::uint32_t crc_of(std::string_view s) {
  return static_cast<std::uint32_t>(
    ::crc32(0L, reinterpret_cast<const Bytef*>(s.data()), static_cast<uInt>(s.size())));
}

bool state_from(std::string_view s, lease_state& out) {
  for (auto st : {lease_state::bound, lease_state::released, lease_state::declined, lease_state::offered})
    if (to_string(st) == s) {
      out = st;
      return true;
    }
  return false;
}

void write_all(int fd, std::string_view data, const std::filesystem::path& p) {
  while (!data.empty()) {
    auto n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      fail("cannot write lease journal", p);
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
}

void sync_directory(const std::filesystem::path& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) fail("cannot open directory", dir);
  if (::fsync(fd) != 0) {
    ::close(fd);
    fail("cannot sync directory", dir);
  }
  ::close(fd);
}

} // namespace

std::string lease_journal::encode(const lease& l) {
  std::string client(l.client.begin(), l.client.end());
  std::string body = std::string(record_tag) + " " + l.address.to_string() + " " +
                     std::string(to_string(l.state)) + " " + std::to_string(l.expires) + " " +
                     l.mac.to_string() + " " + hex_or_dash(client) + " " + hex_or_dash(l.host_name);
  char crc[9];
  std::snprintf(crc, sizeof crc, "%08x", crc_of(body));
  return body + " " + crc + "\n";
}

bool lease_journal::decode(std::string_view line, lease& out) {
  auto last_space = line.rfind(' ');
  if (last_space == std::string_view::npos) return false;
  auto body = line.substr(0, last_space);
  std::uint32_t crc = 0;
  auto crc_text = line.substr(last_space + 1);
  auto [_, ec] = std::from_chars(crc_text.data(), crc_text.data() + crc_text.size(), crc, 16);
  if (ec != std::errc{} || crc_text.size() != 8 || crc != crc_of(body)) return false;

  std::istringstream fields{std::string(body)};
  std::string tag, address, state, expires, mac, client, host;
  if (!(fields >> tag >> address >> state >> expires >> mac >> client >> host) || tag != record_tag)
    return false;
  auto a = ipv4_address::from_string(address);
  auto m = mac_address::from_string(mac);
  std::string client_bytes;
  lease l;
  if (!a || !m || !state_from(state, l.state) || !from_hex_or_dash(client, client_bytes) ||
      !from_hex_or_dash(host, l.host_name))
    return false;
  auto [__, ec2] = std::from_chars(expires.data(), expires.data() + expires.size(), l.expires);
  if (ec2 != std::errc{}) return false;
  l.address = *a;
  l.mac = *m;
  l.client.assign(client_bytes.begin(), client_bytes.end());
  out = l;
  return true;
}

namespace {

std::string read_whole_file(const std::filesystem::path& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return {}; // no journal yet: no leases
    fail("cannot read lease journal", path);
  }
  std::string content;
  char buffer[65536];
  for (;;) {
    auto n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int e = errno;
      ::close(fd);
      errno = e;
      fail("cannot read lease journal", path);
    }
    if (n == 0) break;
    content.append(buffer, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return content;
}

// A line that does not decode may still end in a good record: a crash can
// leave a run of NUL bytes (blocks allocated, never written) or half a record
// before the next one on the same line. Each record starts with its tag.
bool decode_after_damage(std::string_view line, lease& out) {
  for (auto tag = line.find(record_tag, 1); tag != std::string_view::npos; tag = line.find(record_tag, tag + 1))
    if (lease_journal::decode(line.substr(tag), out)) return true;
  return false;
}

} // namespace

std::size_t lease_journal::replay(const std::filesystem::path& path, lease_table& table,
                                  journal_replay& report) {
  auto content = read_whole_file(path);
  std::size_t good_end = 0, at = 0, line_no = 0;
  while (at < content.size()) {
    ++line_no;
    auto nl = content.find('\n', at);
    if (nl == std::string::npos) { // torn: the write stopped mid-record
      ++report.skipped;
      report.warnings.push_back(path.string() + " line " + std::to_string(line_no) +
                                ": incomplete last record (interrupted write) skipped");
      break;
    }
    lease l;
    auto line = std::string_view{content}.substr(at, nl - at);
    if (decode(line, l)) {
      table.put(l);
      ++report.records;
    } else if (decode_after_damage(line, l)) {
      table.put(l);
      ++report.records;
      ++report.skipped;
      report.warnings.push_back(path.string() + " line " + std::to_string(line_no) +
                                ": damaged bytes before a good record skipped, the record kept");
    } else {
      ++report.skipped;
      report.warnings.push_back(path.string() + " line " + std::to_string(line_no) +
                                ": corrupt record (checksum or format) skipped");
    }
    at = nl + 1;
    good_end = at;
  }
  return good_end;
}

lease_journal::lease_journal(const std::filesystem::path& path, lease_table& table,
                             journal_replay& report)
  : path_(path) {
  std::error_code ec;
  std::filesystem::create_directories(path.parent_path(), ec);
  if (ec)
    throw journal_error("cannot create state directory " + path.parent_path().string() + ": " +
                        ec.message());
  std::filesystem::remove(compaction_path(), ec); // left by a compaction that died
  auto good_end = replay(path, table, report);
  records_ = report.records;
  open_for_append();
  struct stat st {};
  if (::fstat(fd_, &st) == 0 && static_cast<std::size_t>(st.st_size) > good_end &&
      ::ftruncate(fd_, static_cast<off_t>(good_end)) != 0)
    fail("cannot cut the torn tail of", path_);
  durable_size_ = good_end;
}

lease_journal::~lease_journal() {
  if (fd_ >= 0) ::close(fd_);
}

void lease_journal::open_for_append() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0640);
  if (fd_ < 0) fail("cannot open lease journal", path_);
  struct stat st {};
  if (::fstat(fd_, &st) != 0) fail("cannot inspect lease journal", path_);
  durable_size_ = static_cast<std::size_t>(st.st_size);
}

void lease_journal::append(const lease& l) {
  auto line = encode(l);
  if (compacting_) since_snapshot_ += line;
  pending_ += line;
  ++records_;
}

void lease_journal::commit() {
  if (pending_.empty()) return;
  try {
    write_all(fd_, pending_, path_);
    if (::fdatasync(fd_) != 0) fail("cannot sync lease journal", path_);
  } catch (const journal_error&) {
    // Cut what part of the batch reached the file (a full disk takes half a
    // record), so that the retry appends whole records on a clean line; the
    // records stay pending for it.
    int e = errno;
    if (::ftruncate(fd_, static_cast<off_t>(durable_size_)) != 0) { /* the replay skips a torn record */ }
    errno = e;
    throw;
  }
  durable_size_ += pending_.size();
  pending_.clear();
}

journal_batch::~journal_batch() {
  if (fd >= 0) ::close(fd);
}

std::unique_ptr<journal_batch> lease_journal::take_batch() {
  auto batch = std::make_unique<journal_batch>();
  batch->fd = ::fcntl(fd_, F_DUPFD_CLOEXEC, 0);
  if (batch->fd < 0) fail("cannot hand the lease journal to its writer", path_);
  batch->records.swap(pending_);
  batch->durable_size = durable_size_;
  batch->path = path_;
  return batch;
}

void lease_journal::write_batch(const journal_batch& batch) {
  try {
    write_all(batch.fd, batch.records, batch.path);
    if (::fdatasync(batch.fd) != 0) fail("cannot sync lease journal", batch.path);
  } catch (const journal_error&) {
    int e = errno; // as commit(): cut a torn batch so that the retry starts on a clean line
    if (::ftruncate(batch.fd, static_cast<off_t>(batch.durable_size)) != 0) { /* the replay skips it */ }
    errno = e;
    throw;
  }
}

void lease_journal::batch_written(const journal_batch& batch) { durable_size_ += batch.records.size(); }

void lease_journal::batch_failed(journal_batch& batch) {
  batch.records += pending_;
  pending_.swap(batch.records);
}

std::filesystem::path lease_journal::compaction_path() const {
  auto tmp = path_;
  tmp += ".compacting";
  return tmp;
}

void lease_journal::compact(const lease_table& table) {
  auto snapshot = begin_compaction(table);
  try {
    write_snapshot(compaction_path(), snapshot);
  } catch (...) {
    abort_compaction();
    throw;
  }
  finish_compaction(snapshot.size());
}

std::vector<lease> lease_journal::begin_compaction(const lease_table& table) {
  std::vector<lease> snapshot;
  snapshot.reserve(table.size());
  table.for_each([&](const lease& l) {
    if (l.state != lease_state::offered) snapshot.push_back(l); // offers are never durable
  });
  compacting_ = true;
  since_snapshot_.clear();
  return snapshot;
}

void lease_journal::write_snapshot(const std::filesystem::path& to, const std::vector<lease>& snapshot) {
  int fd = ::open(to.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0640);
  if (fd < 0) fail("cannot create", to);
  std::string all;
  for (const auto& l : snapshot) all += encode(l);
  try {
    write_all(fd, all, to);
  } catch (...) {
    ::close(fd);
    throw;
  }
  // Not synced here: finish_compaction syncs once, after the last records.
  ::close(fd);
}

void lease_journal::finish_compaction(std::size_t snapshot_records) {
  commit(); // what is pending is in since_snapshot_ too
  auto tmp = compaction_path();
  int fd = ::open(tmp.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
  if (fd < 0) fail("cannot reopen", tmp);
  try {
    write_all(fd, since_snapshot_, tmp);
  } catch (...) {
    ::close(fd);
    throw;
  }
  if (::fsync(fd) != 0) {
    ::close(fd);
    fail("cannot sync", tmp);
  }
  ::close(fd);
  if (::rename(tmp.c_str(), path_.c_str()) != 0) fail("cannot replace lease journal with", tmp);
  sync_directory(path_.parent_path());
  records_ = snapshot_records + static_cast<std::size_t>(std::count(since_snapshot_.begin(), since_snapshot_.end(), '\n'));
  compacting_ = false;
  since_snapshot_.clear();
  open_for_append();
}

void lease_journal::abort_compaction() {
  compacting_ = false;
  since_snapshot_.clear();
  std::error_code ec;
  std::filesystem::remove(compaction_path(), ec);
}

} // namespace etherbeam::apps::dhcp
