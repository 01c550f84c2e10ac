// `tokenscope serve`: load the config, run the server until SIGINT or SIGTERM, then drain and
// stop it. Called once from main; not reentrant.
#pragma once

#include "cli/config_loader.h"

namespace tokenscope::cli {

// Returns the process exit code: 0 after a clean shutdown, 2 for a config error, 1 when the
// server cannot start.
int RunServe(const ConfigSources& sources);

}  // namespace tokenscope::cli
