// Ingest limits: caps on what one request may put into the store — spans or log records per
// request, attributes per span, event or record, bytes per attribute value, events and links per
// span — applied to a decoded batch before it is enriched and written.
//
// Over-limit data is handled the way OTLP allows and never silently: spans or records past the
// per-request cap are rejected (the answer's partial_success counts them and says why); extra
// attributes, events and links are dropped and added to the item's dropped_*_count, as an SDK's
// own limits would; long string and bytes values are cut (strings at a UTF-8 boundary) and the
// span or record gets the attribute `tokenscope.truncated_values` with how many were cut. Every
// cut is also counted in the LimitReport for the server's metrics.
//
// A limit of 0 means "no limit". Truncation only shortens views and erases vector elements, so
// it allocates nothing and keeps every view valid. Stateless functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>

#include "model/log_record.h"
#include "model/metric.h"
#include "model/span.h"

namespace tokenscope::pipeline {

struct IngestLimits {
  uint64_t max_items_per_request = 100'000;  // spans or log records
  uint64_t max_attributes = 1'024;           // per span, event, link or log record
  uint64_t max_value_bytes = 1u << 20;       // per string or bytes value, nested ones too
  uint64_t max_events_per_span = 1'024;
  uint64_t max_links_per_span = 1'024;
};

// What the limits changed in one batch.
struct LimitReport {
  uint64_t items_rejected = 0;  // spans or records past max_items_per_request
  uint64_t attributes_dropped = 0;
  uint64_t values_truncated = 0;
  uint64_t events_dropped = 0;
  uint64_t links_dropped = 0;
  std::string rejection_message;  // why items were rejected, for partial_success

  bool changed_anything() const {
    return items_rejected + attributes_dropped + values_truncated + events_dropped + links_dropped >
           0;
  }
};

// The attribute that marks a span or record whose values were cut.
inline constexpr std::string_view kTruncatedValuesAttribute = "tokenscope.truncated_values";

void ApplyLimits(const IngestLimits& limits, model::SpanBatch* batch, LimitReport* report);
void ApplyLimits(const IngestLimits& limits, model::LogBatch* batch, LimitReport* report);
// Metric data points: past max_items_per_request rejected (the metrics decoder already leaves
// them undecoded, see DecodeLimits::max_data_points); each point's attributes capped like a
// span's. Points have no dropped-attributes count, so dropped attributes are only reported.
void ApplyLimits(const IngestLimits& limits, model::MetricBatch* batch, LimitReport* report);

// The longest prefix of `s` of at most `max_bytes` bytes that does not end inside a UTF-8
// sequence.
std::string_view Utf8Prefix(std::string_view s, uint64_t max_bytes);

}  // namespace tokenscope::pipeline
