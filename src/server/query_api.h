// QueryApi: the read side of the HTTP API (docs/api.md) — trace fetch, trace search, service
// list. Parses and validates parameters (400 with a message naming the parameter), calls the
// query layer and the Store, renders JSON. Holds a Store it does not own. Thread-safe.
#pragma once

#include <string>

#include "enrich/pricing.h"
#include "server/http_types.h"
#include "server/url.h"
#include "store/store.h"

namespace tokenscope::server {

class QueryApi {
 public:
  // `prices` (not owned, may be null) prices LLM spans in responses and filters.
  QueryApi(store::Store* store, std::string project, const enrich::PriceTable* prices)
      : store_(store), project_(std::move(project)), prices_(prices) {}

  HttpResponse GetTrace(const HttpRequest& req, const ParsedTarget& target,
                        std::string_view trace_id_hex);
  HttpResponse SearchTraces(const HttpRequest& req, const ParsedTarget& target);
  HttpResponse SearchSpans(const HttpRequest& req, const ParsedTarget& target);
  HttpResponse ListServices(const HttpRequest& req);
  // POST /api/v1/admin/reprice?since=DUR (or start/end): recomputes trace totals.
  HttpResponse Reprice(const HttpRequest& req, const ParsedTarget& target);
  // POST /api/v1/admin/renormalize?since=DUR (or start/end): the same recomputation, after a
  // normalizer upgrade; the report names the normalizer version.
  HttpResponse Renormalize(const HttpRequest& req, const ParsedTarget& target);

 private:
  store::Store* store_;
  std::string project_;
  const enrich::PriceTable* prices_;
};

}  // namespace tokenscope::server
