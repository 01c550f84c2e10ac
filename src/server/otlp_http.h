// OtlpHttpIngest: the OTLP/HTTP trace receiver (POST /v1/traces).
//
// Checks the content type and encoding, inflates gzip within the body limit, decodes with the
// zero-copy protobuf decoder or the JSON decoder, writes the batch durably through the Store,
// and answers as the OTLP specification prescribes, in the request's own encoding. Holds a
// Store it does not own. Thread-safe: Handle may run on many worker threads at once.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

#include "enrich/pricing.h"
#include "server/http_types.h"
#include "store/store.h"

namespace tokenscope::server {

struct IngestCounters {
  std::atomic<uint64_t> requests{0};
  std::atomic<uint64_t> spans_accepted{0};
  std::atomic<uint64_t> spans_rejected{0};
  std::atomic<uint64_t> requests_rejected{0};  // 4xx: undecodable, too large, wrong type
  std::atomic<uint64_t> write_failures{0};     // 5xx from the store
};

class OtlpHttpIngest {
 public:
  // `prices` (not owned, may be null) prices LLM calls for the trace totals.
  OtlpHttpIngest(store::Store* store, std::string project, uint64_t max_body_bytes,
                 const enrich::PriceTable* prices)
      : store_(store),
        project_(std::move(project)),
        max_body_bytes_(max_body_bytes),
        prices_(prices) {}

  HttpResponse HandleTraces(HttpRequest& request);
  const IngestCounters& counters() const { return counters_; }

 private:
  store::Store* store_;
  std::string project_;
  uint64_t max_body_bytes_;
  const enrich::PriceTable* prices_;
  IngestCounters counters_;
};

}  // namespace tokenscope::server
