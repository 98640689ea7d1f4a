#pragma once
// Both daemons handle signals synchronously on their main thread: the signals
// are blocked before any other thread exists (threads inherit the mask), then
// the main thread waits for them. No async-signal-safety puzzles.
#include <csignal>

namespace etherbeam::daemon {

// Blocks SIGTERM, SIGINT, SIGHUP and SIGUSR1 in the calling thread.
sigset_t block_daemon_signals();
// Waits for one of `signals`; returns its number.
int wait_for_signal(const sigset_t& signals);

} // namespace etherbeam::daemon
