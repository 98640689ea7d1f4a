#pragma once
// `etherbeam --record FILE`: every frame etherbeam takes in or sends out, on
// every link, written as pcapng (see pcapng_writer.hpp) from the process's
// frame tap. Size-rotated as tcpdump -C does: FILE is the newest, FILE.1 the
// one before, up to FILE.N; the oldest goes. A full disk or a failed write
// loses that batch, counted and logged, and recording goes on: it never
// stops etherbeam.
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "actors/named_counters.hpp"

namespace caf {
class actor;
class actor_system;
}

namespace etherbeam::apps::decoder {

struct record_settings {
  std::filesystem::path file;
  std::uint64_t max_bytes = 64ull << 20; // a file's size before it rotates
  std::size_t files = 4;                 // FILE.1 … FILE.N kept besides FILE
};

struct record_counters {
  explicit record_counters(actors::counter_registry& c);
  actors::named_counter &frames, &bytes, &lost, &write_errors, &rotations;
};

// Opens the file (created, emptied, or with `append` added to): throws
// server::config_error, naming the file and why, when it cannot be written.
std::shared_ptr<std::FILE> open_record_file(const std::filesystem::path& file, bool append = false);

caf::actor spawn_recorder(caf::actor_system& system, record_settings settings, std::shared_ptr<std::FILE> file,
                          std::vector<std::string> link_names, std::shared_ptr<record_counters> counters);

} // namespace etherbeam::apps::decoder
