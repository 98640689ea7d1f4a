#pragma once
// Gives the heap memory a burst freed back to the system. glibc keeps freed
// chunks in its arenas, so the frames in flight during a flood, or a DHCP
// backlog, would hold etherbeam's resident memory at the flood's high-water
// mark for as long as it runs. malloc_trim(0) hands back the arenas' whole
// free pages, but it walks every free chunk under the arenas' locks: 26 ms on
// average and up to 106 ms on a flooded 20 MiB heap (measured), so it is done
// when there is something to give back, not every second regardless. What it
// gave back is counted (memory.returned_bytes).
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>

#include "actors/stack_counters.hpp"

namespace caf {
class actor;
class actor_system;
} // namespace caf

namespace etherbeam::actors {

inline constexpr std::chrono::seconds heap_trim_interval{1};
// Growth over what the last trim left that is worth a trim while traffic flows.
inline constexpr std::size_t heap_trim_slack = 4 << 20;

// When to trim, looked at once an interval, from the bytes lying free in
// the arenas (mallinfo2's fordblks). Those the last trim gave back still
// count as free, so what matters is how much more is free than then: memory
// freed since, resident again. While frames arrive, a trim is due when that
// exceeds `slack` (a burst's backlog was freed); once traffic stops, when it
// is worth a trim at all, so that a quiet server holds what it uses.
class heap_trim_policy {
public:
  explicit heap_trim_policy(std::size_t slack) : slack_(slack) {}
  // `free_bytes`: free in the arenas now; `frames_in`: frames received so
  // far (unchanged since the last look: traffic stopped).
  bool due(std::size_t free_bytes, std::uint64_t frames_in);
  void trimmed(std::size_t free_bytes) { reference_ = free_bytes; }

private:
  static constexpr std::size_t least_worth_returning = 256 << 10;
  std::size_t reference_ = 0; // free bytes after the last trim, or fewer since
  std::size_t slack_;
  std::uint64_t frames_seen_ = 0;
};

caf::actor spawn_heap_trimmer(caf::actor_system& system, std::shared_ptr<stack_counters> counters,
                              named_counter& returned);

// Bytes free in the heap's arenas, returned to the system or not.
std::size_t free_heap_bytes();
// malloc_trim(0); returns the resident bytes that went back to the system.
std::size_t trim_heap();

} // namespace etherbeam::actors
