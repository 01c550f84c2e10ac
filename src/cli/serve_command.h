// `tokenscope serve`: load the config, run the server until SIGINT or SIGTERM, then drain and
// stop it. Called once from main; not reentrant.
#pragma once

#include "cli/config_loader.h"

namespace tokenscope::cli {

// Returns the process exit code: 0 after a clean shutdown, 2 for a config error, 1 when the
// server cannot start. With `demo`, the demo workload (demo_command.h) is sent to the server's
// own HTTP listener once it is up, until the server stops.
int RunServe(const ConfigSources& sources, bool demo = false);

}  // namespace tokenscope::cli
