#pragma once
// The life of a daemon's main thread, the same for raw_binder and etherbeam:
// log lines in one format, signals blocked before any thread starts, READY=1
// to the service manager, then signals served until one says stop.
#include <csignal>
#include <functional>
#include <string>
#include <string_view>

namespace etherbeam::daemon {

// "2026-12-01T14:00:00.000 PROGRAM[PID] level: message", at `level`.
void start_logging(std::string_view program, const std::string& level);

struct signal_hooks {
  std::function<std::string()> counters; // SIGUSR1: logged as "counters: ..."
  std::function<void()> reload;          // SIGHUP; empty: "nothing to reload"
};

// Tells the service manager the daemon is ready, then serves SIGUSR1 and
// SIGHUP until SIGTERM or SIGINT; tells it the daemon is stopping and
// returns that signal. `quiet_stop` (e.g. the supervision tree gave up and
// raised SIGTERM itself) leaves out the "shutting down" line.
int serve_signals(const sigset_t& signals, const signal_hooks& hooks,
                  const std::function<bool()>& quiet_stop = {});

} // namespace etherbeam::daemon
