// Keys and values of the embedded store's metrics column family: one entry per OTLP metric data
// point (embedded_metrics.cc).
//
//   key    project (length-prefixed) | metric name (length-prefixed) | time (8, BE) |
//          series (8, BE) | start time (8, BE)
//   value  resource hash (8, BE) | scope hash (8, BE) | format (1) | type (1) |
//          temporality (1) | presence bits (1) | number kind (1) | description, unit
//          (length-prefixed) | start, time, flags (varints) | attributes (length-prefixed OTLP
//          Resource message holding them) | the values of the point's type (below)
//
// The points of one metric are therefore contiguous and in time order, and a retried request
// lands on the same keys. `series` identifies the time series (SeriesHash): the same resource,
// scope and point attributes give the same series whatever order their attributes come in.
//
// Values of each type:
//   gauge, sum             the number: a double (8, BE bits) or a zigzag varint, by number kind
//   histogram              count | sum, min, max when present (8 each) | bound count | bounds |
//                          bucket count | bucket counts (varints)
//   exponential histogram  count | sum, min, max when present | scale (zigzag) | zero count |
//                          zero threshold (8) | positive, negative: offset (zigzag), count,
//                          bucket counts (varints)
//   summary                count | sum (8) | quantile count | (quantile, value) pairs (8 + 8)
//
// Resources and scopes are the content-addressed records spans and logs use (records.h).
// Decoders return views into the bytes they are given; the caller keeps those bytes alive.
// Stateless functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.h"
#include "model/metric.h"
#include "model/span.h"

namespace tokenscope::store::embedded {

// Where a point sits within its metric's keys.
struct MetricPointPosition {
  uint64_t time_unix_nano = 0;
  uint64_t series = 0;
  uint64_t start_time_unix_nano = 0;
};
inline constexpr size_t kMetricPointSuffixSize = 8 + 8 + 8;

// project | name: the prefix of every point of one metric.
std::string MetricNamePrefix(std::string_view project, std::string_view name);
std::string MetricPointKey(std::string_view project, std::string_view name,
                           const MetricPointPosition& position);
// The smallest key suffix of the points at `time_unix_nano` (seek target of a scan).
std::string MetricTimeSeekSuffix(uint64_t time_unix_nano);
// Parses what follows MetricNamePrefix. False unless it is exactly kMetricPointSuffixSize bytes.
bool ParseMetricPointSuffix(std::string_view suffix, MetricPointPosition* position);
// Splits what follows ProjectPrefix into the metric name and the position. False if malformed.
bool ParseMetricKeyAfterProject(std::string_view rest, std::string_view* name,
                                MetricPointPosition* position);

// The series of a point: a hash of its resource's attributes, its scope's name, version and
// attributes, and its own attributes, each list in key order.
uint64_t SeriesHash(const model::Resource& resource, const model::Scope& scope,
                    const model::Attributes& attributes);
// The same in two steps, for a batch whose points share few resources and scopes: the context
// hash once per (resource, scope), then the series of each point.
uint64_t SeriesContextHash(const model::Resource& resource, const model::Scope& scope);
uint64_t SeriesHashIn(uint64_t context_hash, const model::Attributes& attributes);

// Appends the metrics-column-family value of `point` to `out`. The name is in the key.
void EncodeMetricPointValue(const model::MetricPoint& point, uint64_t resource_hash,
                            uint64_t scope_hash, std::string* out);

struct MetricPointValueView {
  uint64_t resource_hash = 0;
  uint64_t scope_hash = 0;
};
// Decodes a metrics value into `point` (every field but name, resource_index and scope_index);
// views point into `value`. DataLoss when it is malformed.
Status DecodeMetricPointValue(std::string_view value, model::MetricPoint* point,
                              MetricPointValueView* view);

}  // namespace tokenscope::store::embedded
