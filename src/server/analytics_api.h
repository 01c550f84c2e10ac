// AnalyticsApi: GET /api/v1/metrics (time series of LLM calls) and GET /api/v1/costs (cost
// allocation, JSON or CSV), docs/api.md. Parses and validates parameters (400 naming the
// parameter), runs query::RunMetricsQuery / RunCostQuery for the given project and renders
// the answer. Holds a Store, a PriceTable and an Aggregator it does not own. Thread-safe.
#pragma once

#include <string>
#include <vector>

#include "enrich/pricing.h"
#include "rollup/aggregator.h"
#include "rollup/rollup.h"
#include "server/http_types.h"
#include "server/url.h"
#include "store/store.h"

namespace tokenscope::server {

class AnalyticsApi {
 public:
  // `prices` may be null; `aggregator` (may be null) reports how many values were folded.
  AnalyticsApi(store::Store* store, const enrich::PriceTable* prices,
               std::vector<rollup::AllocationDimension> dimensions,
               const rollup::Aggregator* aggregator)
      : store_(store),
        prices_(prices),
        dimensions_(std::move(dimensions)),
        aggregator_(aggregator) {}

  HttpResponse Metrics(const std::string& project, const HttpRequest& req,
                       const ParsedTarget& target);
  HttpResponse Costs(const std::string& project, const HttpRequest& req,
                     const ParsedTarget& target);

 private:
  store::Store* store_;
  const enrich::PriceTable* prices_;
  const std::vector<rollup::AllocationDimension> dimensions_;
  const rollup::Aggregator* aggregator_;
};

}  // namespace tokenscope::server
