// AnalyticsApi: GET /api/v1/metrics (time series of LLM calls) and GET /api/v1/costs (cost
// allocation, JSON or CSV), docs/api.md. Parses and validates parameters (400 naming the
// parameter), runs query::RunMetricsQuery / RunCostQuery for the given project and renders
// the answer; and rebuilds rollups from stored spans (POST /api/v1/admin/rollups/rebuild).
// Holds a Store, a PriceTable and an Aggregator it does not own, and owns the cache of
// recently queried rollup hours (query/rollup_cache.h). Thread-safe.
#pragma once

#include <string>
#include <vector>

#include "enrich/pricing.h"
#include "query/rollup_cache.h"
#include "query/rollup_rebuild.h"
#include "rollup/aggregator.h"
#include "rollup/rollup.h"
#include "server/api_json.h"
#include "server/http_types.h"
#include "server/url.h"
#include "store/store.h"

namespace tokenscope::server {

// A rollup rebuild's report as a JSON object (docs/api.md, POST /api/v1/admin/rollups/rebuild).
void WriteRollupRebuildReport(JsonOut& out, const query::RollupRebuildReport& report);

class AnalyticsApi {
 public:
  // `prices` may be null; `aggregator` (may be null) reports how many values were folded.
  AnalyticsApi(store::Store* store, const enrich::PriceTable* prices,
               std::vector<rollup::AllocationDimension> dimensions, rollup::Aggregator* aggregator)
      : store_(store),
        prices_(prices),
        dimensions_(std::move(dimensions)),
        aggregator_(aggregator) {}

  HttpResponse Metrics(const std::string& project, const HttpRequest& req,
                       const ParsedTarget& target);
  HttpResponse Costs(const std::string& project, const HttpRequest& req,
                     const ParsedTarget& target);
  // POST /api/v1/admin/rollups/rebuild?since=DUR (or start/end).
  HttpResponse RebuildRollups(const std::string& project, const HttpRequest& req,
                              const ParsedTarget& target);
  // Forgets cached cells of [start_minute, end_minute): whoever writes rollup cells calls it
  // once the write is durable (ingest, retention).
  void RollupsWritten(const std::string& project, uint64_t start_minute, uint64_t end_minute) {
    cache_.Invalidate(project, start_minute, end_minute);
  }
  const query::RollupCache& cache() const { return cache_; }

  // Rebuilds the rollups of [start, end) from the stored spans (query::RebuildRollups with the
  // server's prices, dimensions and cardinality bound); reprice and renormalize call it.
  StatusOr<query::RollupRebuildReport> Rebuild(const std::string& project, uint64_t start_unix_nano,
                                               uint64_t end_unix_nano);

 private:
  store::Store* store_;
  const enrich::PriceTable* prices_;
  const std::vector<rollup::AllocationDimension> dimensions_;
  rollup::Aggregator* aggregator_;
  query::RollupCache cache_;  // the cells of recently queried hours
};

}  // namespace tokenscope::server
