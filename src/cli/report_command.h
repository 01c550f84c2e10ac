// `tokenscope report`: LLM usage per UTC day (or hour) and group (model by default) — requests,
// error rate, average input and output tokens per request, p95 latency and cost — as an aligned
// table or as CSV. Built from several GET /api/v1/metrics calls (docs/api.md) over the same
// range, step, grouping and filter, joined by group and period. Output goes to the given
// streams so tests can capture it; the return value is the process exit code. Stateless;
// thread-safe as long as the streams are not shared.
#pragma once

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "base/status.h"
#include "cli/traces_command.h"

namespace tokenscope::cli {

struct ReportParams {
  std::string since = "7d";        // how far back from now
  std::string step = "1d";         // the period: "1d" or "1h"
  std::string group_by = "model";  // comma-separated dimensions; "" for one row per period
  std::optional<std::string> filter;
  std::string format = "table";  // "table" or "csv"
  uint64_t now_unix_nanos = 0;   // 0: the wall clock (tests pin it)
};

// The GET /api/v1/metrics targets the report fetches, in order: requests, errors, input and
// output tokens, latency p95 and cost for the groups, then, when grouping, latency p95 of all
// groups together (percentiles of the total rows cannot be combined from the groups'). They
// share start (now - since, rounded down to a whole period in UTC), end (now), step, filter and
// top=1000. InvalidArgument for a bad since or step.
StatusOr<std::vector<std::string>> ReportTargets(const ReportParams& params);

// Fetches and prints the report. Periods run oldest first; in each, the groups with requests,
// most expensive over the whole range first, then a total row; the report ends with a total
// over the whole range. The table leaves out a total that would only repeat the row above it;
// the CSV keeps them all, with TOTAL in the group columns. Warnings (folded groups, a partial
// scan) and "no LLM calls" go to `err`. Exit codes: kExitUsage for bad parameters, a server that
// refused them (400, with its message) or no server to talk to; kExitServerError for any other
// error answer.
int RunReport(const ClientOptions& options, const ReportParams& params, std::ostream& out,
              std::ostream& err);

}  // namespace tokenscope::cli
