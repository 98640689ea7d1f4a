#include "daemon/daemon_process.hpp"

#include <cstring>

#include <spdlog/spdlog.h>
#include <systemd/sd-daemon.h>

#include "daemon/process_signals.hpp"

namespace etherbeam::daemon {

void start_logging(std::string_view program, const std::string& level) {
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e " + std::string(program) + "[%P] %l: %v");
  spdlog::set_level(spdlog::level::from_str(level));
}

int serve_signals(const sigset_t& signals, const signal_hooks& hooks, const std::function<bool()>& quiet_stop) {
  sd_notify(0, "READY=1");
  for (;;) {
    int s = wait_for_signal(signals);
    if (s == SIGUSR1) {
      spdlog::info("counters: {}", hooks.counters());
      continue;
    }
    if (s == SIGHUP) {
      if (hooks.reload) hooks.reload();
      else spdlog::info("SIGHUP: there is no configuration to reload");
      continue;
    }
    if (!quiet_stop || !quiet_stop()) spdlog::info("{}: shutting down", ::strsignal(s));
    sd_notify(0, "STOPPING=1");
    return s;
  }
}

} // namespace etherbeam::daemon
