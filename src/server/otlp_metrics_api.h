// OtlpMetricsApi: the query side of stored OTLP metrics (docs/api.md, "OTLP metrics") —
// GET /api/v1/metrics?otlp_metric=NAME (time series of one metric, in the shape of the LLM
// metrics answer, with "path": "otlp") and GET /api/v1/metrics/names (the stored metrics).
// Parses and validates parameters (400 naming the parameter), runs query::RunOtlpMetricQuery
// for the given project and renders the answer. Holds a Store it does not own. Thread-safe.
#pragma once

#include <string>

#include "server/http_types.h"
#include "server/url.h"
#include "store/store.h"

namespace tokenscope::server {

class OtlpMetricsApi {
 public:
  explicit OtlpMetricsApi(store::Store* store) : store_(store) {}

  // GET /api/v1/metrics with `otlp_metric` (the caller routes requests that name it here).
  HttpResponse Query(const std::string& project, const HttpRequest& req,
                     const ParsedTarget& target);
  // GET /api/v1/metrics/names.
  HttpResponse Names(const std::string& project, const HttpRequest& req,
                     const ParsedTarget& target);

 private:
  store::Store* store_;
};

}  // namespace tokenscope::server
