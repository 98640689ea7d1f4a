#include "apps/decoder/recorder.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/spawn_options.hpp>
#include <caf/stateful_actor.hpp>
#include <spdlog/spdlog.h>

#include "actors/frame_tap.hpp"
#include "apps/decoder/pcapng_writer.hpp"
#include "server/config_reading.hpp"

namespace etherbeam::apps::decoder {

namespace {

using tick_atom = caf::atom_constant<caf::atom("recordtick")>;
constexpr auto tick = std::chrono::milliseconds(20);
constexpr std::size_t tap_capacity = 65536; // copies waiting between two ticks: ~3 M frames/s

struct recorder_state {
  record_settings settings;
  std::shared_ptr<std::FILE> file;
  std::vector<std::uint8_t> header;
  std::uint64_t written = 0;
  std::uint64_t lost_seen = 0;
  bool failing = false;
  std::shared_ptr<record_counters> counters;
  std::shared_ptr<actors::tap_listener> tap;
  static inline const char* name = "recorder";
};

using self_pointer = caf::stateful_actor<recorder_state>*;

bool write_all(recorder_state& st, const std::vector<std::uint8_t>& bytes) {
  if (bytes.empty()) return true;
  if (std::fwrite(bytes.data(), 1, bytes.size(), st.file.get()) != bytes.size() || std::fflush(st.file.get()) != 0) {
    int error = errno;
    ++st.counters->write_errors;
    if (!st.failing)
      spdlog::error("--record: writing {} failed: {}; frames are lost until a write succeeds (counted as "
                    "record.write_errors)", st.settings.file.string(), std::strerror(error));
    st.failing = true;
    std::clearerr(st.file.get());
    return false;
  }
  if (st.failing) spdlog::info("--record: writing {} again", st.settings.file.string());
  st.failing = false;
  st.written += bytes.size();
  return true;
}

void rotate(recorder_state& st) {
  namespace fs = std::filesystem;
  std::error_code ec;
  auto numbered = [&](std::size_t n) { return fs::path(st.settings.file.string() + "." + std::to_string(n)); };
  fs::remove(numbered(st.settings.files), ec);
  for (std::size_t n = st.settings.files; n > 1; --n) fs::rename(numbered(n - 1), numbered(n), ec);
  st.file.reset();
  fs::rename(st.settings.file, numbered(1), ec);
  try {
    st.file = open_record_file(st.settings.file);
  } catch (const std::exception& e) {
    spdlog::error("--record: {}", e.what());
    return;
  }
  ++st.counters->rotations;
  st.written = 0;
  write_all(st, st.header);
}

void record(self_pointer self) {
  auto& st = self->state;
  if (!st.tap) return;
  auto frames = st.tap->take();
  auto lost = st.tap->lost();
  st.counters->lost += lost - st.lost_seen;
  st.lost_seen = lost;
  if (frames.empty() || !st.file) return st.tap->give_back(std::move(frames));
  std::vector<std::uint8_t> blocks;
  std::size_t in_blocks = 0;
  auto flush = [&] {
    if (write_all(st, blocks)) {
      st.counters->frames += in_blocks;
      st.counters->bytes += blocks.size();
    }
    blocks.clear();
    in_blocks = 0;
  };
  for (const auto& f : frames) {
    auto us = std::chrono::duration_cast<std::chrono::microseconds>(f.at.time_since_epoch()).count();
    pcapng_writer::packet(blocks, f.link, static_cast<std::uint64_t>(us),
                          f.direction == actors::tap_direction::in ? frame_direction::inbound
                                                                   : frame_direction::outbound,
                          f.bytes);
    ++in_blocks;
    if (st.written + blocks.size() >= st.settings.max_bytes) { // a file ends within one frame of its size
      flush();
      rotate(st);
      if (!st.file) return;
    }
  }
  flush();
  st.tap->give_back(std::move(frames));
}

caf::behavior recorder(self_pointer self, record_settings settings, std::shared_ptr<std::FILE> file,
                       std::vector<std::string> links, std::shared_ptr<record_counters> counters,
                       std::shared_ptr<actors::tap_listener> tap) {
  // Detached: this thread is the recorder's alone. The lowest priority: on a
  // busy machine the frames come before the copies written of them.
  ::setpriority(PRIO_PROCESS, static_cast<id_t>(::gettid()), 19);
  auto& st = self->state;
  st.settings = std::move(settings);
  st.file = std::move(file);
  st.counters = std::move(counters);
  st.header = pcapng_writer::header(links);
  write_all(st, st.header);
  st.tap = std::move(tap);
  self->attach_functor([tap = st.tap] { actors::frame_tap::of_process().stop(tap); });
  // Stopped (etherbeam ends, or the supervisor restarts it): what was copied last is written too.
  self->set_exit_handler([self](caf::exit_msg& m) {
    record(self);
    self->quit(m.reason);
  });
  self->delayed_send(self, tick, tick_atom::value);
  return {
    [self](tick_atom) {
      record(self);
      self->delayed_send(self, tick, tick_atom::value);
    },
  };
}

} // namespace

record_counters::record_counters(actors::counter_registry& c)
    : frames(c.add("record.frames")), bytes(c.add("record.bytes")), lost(c.add("record.lost")),
      write_errors(c.add("record.write_errors")), rotations(c.add("record.rotations")) {}

std::shared_ptr<std::FILE> open_record_file(const std::filesystem::path& file, bool append) {
  std::FILE* f = std::fopen(file.c_str(), append ? "ab" : "wb");
  if (!f)
    throw server::config_error("--record: cannot write " + file.string() + ": " + std::strerror(errno) +
                               " (etherbeam writes it as the user it runs as)");
  return {f, [](std::FILE* p) { std::fclose(p); }};
}

caf::actor spawn_recorder(caf::actor_system& system, record_settings settings, std::shared_ptr<std::FILE> file,
                          std::vector<std::string> link_names, std::shared_ptr<record_counters> counters) {
  // Listening before the spawn returns, not in the recorder's own thread: the
  // supervisor starts the links' ingress after this, so the first frames (the
  // ARP announcements at start) are copied too.
  auto tap = actors::frame_tap::of_process().listen(tap_capacity);
  if (!tap) spdlog::error("--record: the frame tap has too many readers; nothing is recorded");
  // Detached: it writes files, and a slow disk must not hold a scheduler thread.
  return system.spawn<caf::detached>(recorder, std::move(settings), std::move(file), std::move(link_names),
                                     std::move(counters), std::move(tap));
}

} // namespace etherbeam::apps::decoder
