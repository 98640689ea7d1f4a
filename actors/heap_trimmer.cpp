#include "actors/heap_trimmer.hpp"

#include <malloc.h>
#include <unistd.h>

#include <cstdio>

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/stateful_actor.hpp>

#include "actors/messages.hpp"

namespace etherbeam::actors {

namespace {

std::size_t resident_bytes() {
  unsigned long size = 0, resident = 0;
  std::FILE* statm = std::fopen("/proc/self/statm", "r");
  if (!statm) return 0;
  if (std::fscanf(statm, "%lu %lu", &size, &resident) != 2) resident = 0;
  std::fclose(statm);
  return resident * static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
}

using trim_heap_atom = caf::atom_constant<caf::atom("trimheap")>;

struct heap_trimmer_state {
  heap_trim_policy policy{heap_trim_slack};
  static inline const char* name = "heap_trimmer";
};

caf::behavior heap_trimmer(caf::stateful_actor<heap_trimmer_state>* self, std::shared_ptr<stack_counters> counters,
                           named_counter* returned) {
  self->delayed_send(self, heap_trim_interval, trim_heap_atom::value);
  return {
    [=](trim_heap_atom) {
      auto& policy = self->state.policy;
      if (policy.due(free_heap_bytes(), counters->frames_in.load(std::memory_order_relaxed))) {
        *returned += trim_heap();
        policy.trimmed(free_heap_bytes());
      }
      self->delayed_send(self, heap_trim_interval, trim_heap_atom::value);
    },
    [=](inject_fault_atom) { self->quit(caf::sec::runtime_error); },
  };
}

} // namespace

bool heap_trim_policy::due(std::size_t free_bytes, std::uint64_t frames_in) {
  bool quiet = frames_in == frames_seen_;
  frames_seen_ = frames_in;
  // Freed chunks taken again: what is freed next counts from here.
  if (free_bytes < reference_) reference_ = free_bytes;
  auto freed = free_bytes - reference_;
  return freed > slack_ || (quiet && freed >= least_worth_returning);
}

std::size_t free_heap_bytes() { return ::mallinfo2().fordblks; }

std::size_t trim_heap() {
  auto before = resident_bytes();
  ::malloc_trim(0);
  auto after = resident_bytes();
  return before > after ? before - after : 0;
}

caf::actor spawn_heap_trimmer(caf::actor_system& system, std::shared_ptr<stack_counters> counters,
                              named_counter& returned) {
  return system.spawn(heap_trimmer, std::move(counters), &returned);
}

} // namespace etherbeam::actors
