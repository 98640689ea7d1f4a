#pragma once
// Watchers of a running etherbeam (the live tap's streaming thread, `decode
// --live`) run under SCHED_IDLE: they get a core only when nothing else wants
// it, so on a busy machine they lose copies rather than take time from the
// frames (sched(7)). Any user may choose it; nice 19 is the fallback.
#include <sched.h>
#include <sys/resource.h>
#include <unistd.h>

namespace etherbeam::apps::decoder {

// For the calling thread.
inline bool run_only_when_idle() {
  sched_param none{};
  if (::sched_setscheduler(0, SCHED_IDLE, &none) == 0) return true;
  return ::setpriority(PRIO_PROCESS, static_cast<id_t>(::gettid()), 19) == 0;
}

} // namespace etherbeam::apps::decoder
