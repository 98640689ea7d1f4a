#include "daemon/process_signals.hpp"

#include <pthread.h>

#include <initializer_list>

namespace etherbeam::daemon {

sigset_t block_daemon_signals() {
  sigset_t set;
  sigemptyset(&set);
  for (int s : {SIGTERM, SIGINT, SIGHUP, SIGUSR1}) sigaddset(&set, s);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  return set;
}

int wait_for_signal(const sigset_t& signals) {
  int s = 0;
  while (sigwait(&signals, &s) != 0) {
  }
  return s;
}

} // namespace etherbeam::daemon
