// GET /metrics: Tokenscope's Prometheus endpoint — its own health (ingest counters, request
// bytes in flight against the budget, requests refused for overload, store commit latency and
// size on disk, what the limits and the redactor changed) and the GenAI client metrics derived
// from stored calls (prometheus.h). With API keys, a key reads the GenAI series of its own
// project only; the health series carry no project data and are always shown.
// Stateless function over the sources it is given; thread-safe as they are.
#pragma once

#include <string>

#include "rollup/aggregator.h"
#include "server/http_server.h"
#include "server/http_types.h"
#include "server/inflight_budget.h"
#include "server/ingest_service.h"
#include "server/prometheus.h"
#include "store/store.h"

namespace tokenscope::redact {
class Redactor;
}

namespace tokenscope::server {

struct MetricsSources {
  const IngestService* ingest = nullptr;
  const InflightBudget* budget = nullptr;
  const HttpServer* http = nullptr;
  const GenAiMetrics* genai = nullptr;
  const redact::Redactor* redactor = nullptr;  // may be null (redaction off)
  store::Store* store = nullptr;
  const rollup::Aggregator* rollups = nullptr;  // may be null (no rollups)
};

// `project` limits the GenAI series to one project; null shows every project (local mode).
HttpResponse RenderMetrics(const HttpRequest& req, const MetricsSources& sources,
                           const std::string* project);

}  // namespace tokenscope::server
