#pragma once
// etherbeam's command line, read into a command: serve with a configuration
// (the config file, then the options over it, then each application's own
// options), or a subcommand already run (counters, fault, an application's
// such as leases) whose exit status is all that is left. SIGHUP reads it
// again the same way.
#include <string>

#include "server/server_config.hpp"

namespace etherbeam::server {

struct command {
  server_config config;
  // -1: serve with `config`. Otherwise exit with this status: --help, a
  // subcommand that ran, or an error already reported.
  int exit_code = -1;
};

// With `error` given (a reload), a configuration error is put there instead
// of on stderr.
command read_command(int argc, char** argv, std::string* error = nullptr);

} // namespace etherbeam::server
