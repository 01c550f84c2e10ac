// The client side of `tokenscope traces get` and `tokenscope traces search`: build the query-API
// request, send it, and print the answer (raw JSON or rendered) or a one-line error. Output goes
// to the given streams so tests can capture it; the return value is the process exit code.
// Stateless; thread-safe as long as the streams are not shared.
#pragma once

#include <chrono>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace tokenscope::cli {

// Process exit codes of every tokenscope command.
inline constexpr int kExitOk = 0;
inline constexpr int kExitServerError = 1;  // the server answered with an error
inline constexpr int kExitUsage = 2;        // bad arguments, or no server to talk to

inline constexpr std::string_view kDefaultEndpoint = "http://127.0.0.1:4318";
inline constexpr std::string_view kEndpointEnvVar = "TOKENSCOPE_ENDPOINT";
inline constexpr std::string_view kApiKeyEnvVar = "TOKENSCOPE_API_KEY";

struct ClientOptions {
  std::string endpoint = std::string(kDefaultEndpoint);
  std::chrono::milliseconds timeout{30'000};
  std::string api_key;  // the secret key of a project, when the server requires keys
  bool json = false;    // print the server's answer verbatim
  bool color = false;   // highlight errors with ANSI colors
};

// Parameters of GET /api/v1/traces; unset ones are not sent.
struct TraceSearchParams {
  std::optional<std::string> filter;
  std::optional<std::string> service;
  std::optional<std::string> name;
  std::optional<std::string> status;
  std::optional<std::string> min_duration;
  std::optional<std::string> max_duration;
  std::vector<std::string> attributes;  // "KEY=VALUE", sent as attr.KEY=VALUE
  std::optional<std::string> since;
  std::optional<std::string> order;  // start_time_desc (default), cost_desc, ...
  std::optional<int> limit;
  std::optional<std::string> cursor;
};

// "/api/v1/traces/{id}" for a 32-hex-digit trace id (any case; sent lowercase).
StatusOr<std::string> TraceGetTarget(std::string_view trace_id);

// "/api/v1/traces?service=...&attr.KEY=VALUE..." with everything percent-encoded.
StatusOr<std::string> TraceSearchTarget(const TraceSearchParams& params);

int RunTracesGet(const ClientOptions& options, std::string_view trace_id, std::ostream& out,
                 std::ostream& err);

// Prints the page as a table; when there are more pages, a hint with the next --cursor goes to
// `err` so `out` stays a clean table, and so does the warning of a partial ordered page.
int RunTracesSearch(const ClientOptions& options, const TraceSearchParams& params,
                    std::ostream& out, std::ostream& err);

// Asks the server to recompute the cost and token totals of every trace with a span in the
// last `since` (15m, 2h, 7d) with its current price table, and prints what changed.
int RunReprice(const ClientOptions& options, std::string_view since, std::ostream& out,
               std::ostream& err);

// The same recomputation after a normalizer upgrade: prints the normalizer version and the LLM
// calls, total tokens and cost before and after.
int RunRenormalize(const ClientOptions& options, std::string_view since, std::ostream& out,
                   std::ostream& err);

// Asks the server to rebuild the rollups (metrics and costs) of the last `since` from the
// stored spans, and prints the cells, calls and cost before and after.
int RunRollupRebuild(const ClientOptions& options, std::string_view since, std::ostream& out,
                     std::ostream& err);

}  // namespace tokenscope::cli
