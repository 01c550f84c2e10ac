// `tokenscope demo`: sends the demo workload (src/demo) to a Tokenscope server over OTLP/HTTP
// protobuf, first a backfill of traces spread over the recent past, then optionally live
// traffic for a while. `tokenscope serve --demo` runs the same sender inside the server process
// against its own listener.
#pragma once

#include <atomic>
#include <cstdint>
#include <iosfwd>
#include <string>

#include "base/status.h"
#include "cli/traces_command.h"

namespace tokenscope::cli {

struct DemoPlan {
  uint64_t backfill_traces = 200;  // sent at once, start times spread over...
  uint64_t backfill_span_ns = 6 * 3600 * 1'000'000'000ull;  // ...this much of the recent past
  uint64_t live_ns = 0;  // then about one trace a second for this long
  uint64_t live_interval_ns = 1'000'000'000;
  uint64_t seed = 42;
  uint64_t traces_per_request = 25;
};

struct DemoStats {
  uint64_t traces = 0;
  uint64_t spans = 0;
  uint64_t requests = 0;
  uint64_t bytes = 0;
};

// Sends `plan` to `client.endpoint`. Stops early (with OK) once `stop` becomes true; `stop`
// may be null. Errors: the endpoint is malformed, unreachable, or refuses a request.
// Thread-safe as long as each call has its own `stats`.
Status SendDemoWorkload(const ClientOptions& client, const DemoPlan& plan,
                        const std::atomic<bool>* stop, DemoStats* stats);

// The command: parses the durations, sends, prints a summary. Returns the exit code.
int RunDemo(const ClientOptions& client, uint64_t traces, const std::string& duration,
            const std::string& spread, uint64_t seed, std::ostream& out, std::ostream& err);

}  // namespace tokenscope::cli
