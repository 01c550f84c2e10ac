// QueryApi: the read side of the HTTP API (docs/api.md) — trace fetch, trace search, service
// list, recomputation of totals. Parses and validates parameters (400 with a message naming
// the parameter), calls the query layer and the Store, renders JSON. Every handler serves the
// project it is given (the caller has authenticated the request and knows which); nothing here
// can reach another project's data. Holds a Store it does not own. Thread-safe.
#pragma once

#include <functional>
#include <string>
#include <utility>

#include "enrich/pricing.h"
#include "query/rollup_rebuild.h"
#include "server/http_types.h"
#include "server/url.h"
#include "store/store.h"

namespace tokenscope::server {

class QueryApi {
 public:
  // Rebuilds a project's rollups over [start, end) after a recomputation changed prices or
  // normalization (AnalyticsApi::Rebuild).
  using RollupRebuilder = std::function<StatusOr<query::RollupRebuildReport>(
      const std::string& project, uint64_t start_unix_nano, uint64_t end_unix_nano)>;

  // `prices` (not owned, may be null) prices LLM spans in responses and filters.
  // `rebuild_rollups` may be empty: then reprice and renormalize leave rollups as they are.
  QueryApi(store::Store* store, const enrich::PriceTable* prices,
           RollupRebuilder rebuild_rollups = {})
      : store_(store), prices_(prices), rebuild_rollups_(std::move(rebuild_rollups)) {}

  HttpResponse GetTrace(const std::string& project, const HttpRequest& req,
                        const ParsedTarget& target, std::string_view trace_id_hex);
  HttpResponse SearchTraces(const std::string& project, const HttpRequest& req,
                            const ParsedTarget& target);
  HttpResponse SearchSpans(const std::string& project, const HttpRequest& req,
                           const ParsedTarget& target);
  HttpResponse ListServices(const std::string& project, const HttpRequest& req,
                            const ParsedTarget& target);
  // POST /api/v1/admin/reprice?since=DUR (or start/end): recomputes trace totals.
  HttpResponse Reprice(const std::string& project, const HttpRequest& req,
                       const ParsedTarget& target);
  // POST /api/v1/admin/renormalize?since=DUR (or start/end): the same recomputation, after a
  // normalizer upgrade; the report names the normalizer version.
  HttpResponse Renormalize(const std::string& project, const HttpRequest& req,
                           const ParsedTarget& target);

 private:
  HttpResponse Recompute(const std::string& project, const HttpRequest& req,
                         const ParsedTarget& target);

  store::Store* store_;
  const enrich::PriceTable* prices_;
  RollupRebuilder rebuild_rollups_;
};

}  // namespace tokenscope::server
