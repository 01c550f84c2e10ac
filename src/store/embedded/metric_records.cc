#include "store/embedded/metric_records.h"

#include <xxhash.h>

#include <algorithm>
#include <cstring>
#include <vector>

#include "otlp/proto_decoder.h"
#include "otlp/proto_encoder.h"
#include "store/embedded/coding.h"
#include "store/embedded/keys.h"

namespace tokenscope::store::embedded {
namespace {

constexpr uint8_t kFormat = 1;

// Presence bits.
constexpr uint8_t kMonotonic = 1;
constexpr uint8_t kHasSum = 2;
constexpr uint8_t kHasMin = 4;
constexpr uint8_t kHasMax = 8;

Status Corrupt() {
  return DataLoss("corrupt metric point record in the embedded store");
}

uint64_t ZigZag(int64_t v) {
  return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
}
int64_t UnZigZag(uint64_t v) {
  return static_cast<int64_t>(v >> 1) ^ -static_cast<int64_t>(v & 1);
}

void PutDouble(double d, std::string* out) {
  uint64_t bits;
  std::memcpy(&bits, &d, sizeof bits);
  PutFixed64BigEndian(bits, out);
}

bool GetDouble(std::string_view* in, double* d) {
  uint64_t bits;
  if (!GetFixed64BigEndian(in, &bits)) return false;
  std::memcpy(d, &bits, sizeof bits);
  return true;
}

bool GetByte(std::string_view* in, uint8_t* b) {
  if (in->empty()) return false;
  *b = static_cast<uint8_t>(in->front());
  in->remove_prefix(1);
  return true;
}

bool GetInt32(std::string_view* in, int32_t* v) {
  uint64_t raw;
  if (!GetVarint64(in, &raw)) return false;
  const int64_t wide = UnZigZag(raw);
  if (wide < INT32_MIN || wide > INT32_MAX) return false;
  *v = static_cast<int32_t>(wide);
  return true;
}

// A count of items of at least `min_bytes` each that must fit the rest of the input, so that a
// corrupt count never allocates more than the record could hold.
bool GetCount(std::string_view* in, size_t min_bytes, size_t* n) {
  uint64_t raw;
  if (!GetVarint64(in, &raw) || raw > in->size() / min_bytes) return false;
  *n = static_cast<size_t>(raw);
  return true;
}

void PutVarints(const std::vector<uint64_t>& values, std::string* out) {
  PutVarint64(values.size(), out);
  for (uint64_t v : values) PutVarint64(v, out);
}

bool GetVarints(std::string_view* in, std::vector<uint64_t>* values) {
  size_t n;
  if (!GetCount(in, 1, &n)) return false;
  values->resize(n);
  for (uint64_t& v : *values) {
    if (!GetVarint64(in, &v)) return false;
  }
  return true;
}

void PutOptional(const std::optional<double>& value, std::string* out) {
  if (value) PutDouble(*value, out);
}

bool GetOptional(std::string_view* in, bool present, std::optional<double>* value) {
  if (!present) return true;
  double d;
  if (!GetDouble(in, &d)) return false;
  *value = d;
  return true;
}

// The attribute list as an OTLP Resource message (field 1 repeated KeyValue): the encoder spans
// and logs use, which writes every AnyValue type.
void PutAttributes(const model::Attributes& attributes, std::string* out) {
  model::Resource holder;
  holder.attributes = attributes;
  std::string encoded;
  otlp::EncodeResourceProto(holder, &encoded);
  PutLengthPrefixed(encoded, out);
}

// The attributes sorted by key (stable), encoded: the canonical form series hashes read.
std::string CanonicalAttributes(const model::Attributes& attributes) {
  model::Resource holder;
  holder.attributes = attributes;
  std::stable_sort(
      holder.attributes.begin(), holder.attributes.end(),
      [](const model::KeyValue& a, const model::KeyValue& b) { return a.key < b.key; });
  std::string encoded;
  otlp::EncodeResourceProto(holder, &encoded);
  return encoded;
}

void EncodeHistogramCommon(const model::MetricPoint& p, std::string* out) {
  PutVarint64(p.count, out);
  PutOptional(p.sum, out);
  PutOptional(p.min, out);
  PutOptional(p.max, out);
}

void EncodeValues(const model::MetricPoint& p, std::string* out) {
  switch (p.type) {
    case model::MetricType::kGauge:
    case model::MetricType::kSum:
      if (p.number_kind == model::NumberKind::kDouble) PutDouble(p.as_double, out);
      if (p.number_kind == model::NumberKind::kInt) PutVarint64(ZigZag(p.as_int), out);
      return;
    case model::MetricType::kHistogram:
      EncodeHistogramCommon(p, out);
      PutVarint64(p.explicit_bounds.size(), out);
      for (double bound : p.explicit_bounds) PutDouble(bound, out);
      PutVarints(p.bucket_counts, out);
      return;
    case model::MetricType::kExponentialHistogram:
      EncodeHistogramCommon(p, out);
      PutVarint64(ZigZag(p.scale), out);
      PutVarint64(p.zero_count, out);
      PutDouble(p.zero_threshold, out);
      for (const model::ExponentialBuckets* side : {&p.positive, &p.negative}) {
        PutVarint64(ZigZag(side->offset), out);
        PutVarints(side->bucket_counts, out);
      }
      return;
    case model::MetricType::kSummary:
      PutVarint64(p.count, out);
      PutDouble(p.sum.value_or(0), out);
      PutVarint64(p.quantile_values.size(), out);
      for (const model::ValueAtQuantile& q : p.quantile_values) {
        PutDouble(q.quantile, out);
        PutDouble(q.value, out);
      }
      return;
  }
}

bool DecodeHistogramCommon(std::string_view* in, uint8_t bits, model::MetricPoint* p) {
  return GetVarint64(in, &p->count) && GetOptional(in, (bits & kHasSum) != 0, &p->sum) &&
         GetOptional(in, (bits & kHasMin) != 0, &p->min) &&
         GetOptional(in, (bits & kHasMax) != 0, &p->max);
}

bool DecodeValues(std::string_view* in, uint8_t bits, model::MetricPoint* p) {
  switch (p->type) {
    case model::MetricType::kGauge:
    case model::MetricType::kSum:
      if (p->number_kind == model::NumberKind::kDouble) return GetDouble(in, &p->as_double);
      if (p->number_kind == model::NumberKind::kInt) {
        uint64_t raw;
        if (!GetVarint64(in, &raw)) return false;
        p->as_int = UnZigZag(raw);
      }
      return true;
    case model::MetricType::kHistogram: {
      size_t bounds;
      if (!DecodeHistogramCommon(in, bits, p) || !GetCount(in, 8, &bounds)) return false;
      p->explicit_bounds.resize(bounds);
      for (double& bound : p->explicit_bounds) {
        if (!GetDouble(in, &bound)) return false;
      }
      return GetVarints(in, &p->bucket_counts);
    }
    case model::MetricType::kExponentialHistogram: {
      if (!DecodeHistogramCommon(in, bits, p) || !GetInt32(in, &p->scale) ||
          !GetVarint64(in, &p->zero_count) || !GetDouble(in, &p->zero_threshold)) {
        return false;
      }
      for (model::ExponentialBuckets* side : {&p->positive, &p->negative}) {
        if (!GetInt32(in, &side->offset) || !GetVarints(in, &side->bucket_counts)) return false;
      }
      return true;
    }
    case model::MetricType::kSummary: {
      double sum;
      size_t quantiles;
      if (!GetVarint64(in, &p->count) || !GetDouble(in, &sum) || !GetCount(in, 16, &quantiles)) {
        return false;
      }
      p->sum = sum;
      p->quantile_values.resize(quantiles);
      for (model::ValueAtQuantile& q : p->quantile_values) {
        if (!GetDouble(in, &q.quantile) || !GetDouble(in, &q.value)) return false;
      }
      return true;
    }
  }
  return false;
}

}  // namespace

std::string MetricNamePrefix(std::string_view project, std::string_view name) {
  std::string prefix = ProjectPrefix(project);
  PutLengthPrefixed(name, &prefix);
  return prefix;
}

std::string MetricPointKey(std::string_view project, std::string_view name,
                           const MetricPointPosition& position) {
  std::string key = MetricNamePrefix(project, name);
  PutFixed64BigEndian(position.time_unix_nano, &key);
  PutFixed64BigEndian(position.series, &key);
  PutFixed64BigEndian(position.start_time_unix_nano, &key);
  return key;
}

std::string MetricTimeSeekSuffix(uint64_t time_unix_nano) {
  std::string suffix;
  PutFixed64BigEndian(time_unix_nano, &suffix);
  return suffix;
}

bool ParseMetricPointSuffix(std::string_view suffix, MetricPointPosition* position) {
  return suffix.size() == kMetricPointSuffixSize &&
         GetFixed64BigEndian(&suffix, &position->time_unix_nano) &&
         GetFixed64BigEndian(&suffix, &position->series) &&
         GetFixed64BigEndian(&suffix, &position->start_time_unix_nano);
}

bool ParseMetricKeyAfterProject(std::string_view rest, std::string_view* name,
                                MetricPointPosition* position) {
  return GetLengthPrefixed(&rest, name) && ParseMetricPointSuffix(rest, position);
}

uint64_t SeriesContextHash(const model::Resource& resource, const model::Scope& scope) {
  std::string bytes = CanonicalAttributes(resource.attributes);
  PutLengthPrefixed(scope.name, &bytes);
  PutLengthPrefixed(scope.version, &bytes);
  bytes += CanonicalAttributes(scope.attributes);
  // Lengths keep the parts apart: a resource that ends like a scope begins hashes differently.
  std::string framed;
  PutVarint64(bytes.size(), &framed);
  framed += bytes;
  return XXH3_64bits(framed.data(), framed.size());
}

uint64_t SeriesHashIn(uint64_t context_hash, const model::Attributes& attributes) {
  const std::string bytes = CanonicalAttributes(attributes);
  return XXH3_64bits_withSeed(bytes.data(), bytes.size(), context_hash);
}

uint64_t SeriesHash(const model::Resource& resource, const model::Scope& scope,
                    const model::Attributes& attributes) {
  return SeriesHashIn(SeriesContextHash(resource, scope), attributes);
}

void EncodeMetricPointValue(const model::MetricPoint& p, uint64_t resource_hash,
                            uint64_t scope_hash, std::string* out) {
  PutFixed64BigEndian(resource_hash, out);
  PutFixed64BigEndian(scope_hash, out);
  uint8_t bits = 0;
  if (p.monotonic) bits |= kMonotonic;
  if (p.sum) bits |= kHasSum;
  if (p.min) bits |= kHasMin;
  if (p.max) bits |= kHasMax;
  for (uint8_t b : {kFormat, static_cast<uint8_t>(p.type), static_cast<uint8_t>(p.temporality),
                    bits, static_cast<uint8_t>(p.number_kind)}) {
    out->push_back(static_cast<char>(b));
  }
  PutLengthPrefixed(p.description, out);
  PutLengthPrefixed(p.unit, out);
  PutVarint64(p.start_time_unix_nano, out);
  PutVarint64(p.time_unix_nano, out);
  PutVarint64(p.flags, out);
  PutAttributes(p.attributes, out);
  EncodeValues(p, out);
}

Status DecodeMetricPointValue(std::string_view value, model::MetricPoint* p,
                              MetricPointValueView* view) {
  uint8_t format, type, temporality, bits, number_kind;
  if (!GetFixed64BigEndian(&value, &view->resource_hash) ||
      !GetFixed64BigEndian(&value, &view->scope_hash) || !GetByte(&value, &format) ||
      format != kFormat || !GetByte(&value, &type) ||
      type > static_cast<uint8_t>(model::MetricType::kSummary) || !GetByte(&value, &temporality) ||
      temporality > static_cast<uint8_t>(model::AggregationTemporality::kCumulative) ||
      !GetByte(&value, &bits) || !GetByte(&value, &number_kind) ||
      number_kind > static_cast<uint8_t>(model::NumberKind::kInt)) {
    return Corrupt();
  }
  p->type = static_cast<model::MetricType>(type);
  p->temporality = static_cast<model::AggregationTemporality>(temporality);
  p->monotonic = (bits & kMonotonic) != 0;
  p->number_kind = static_cast<model::NumberKind>(number_kind);
  uint64_t flags;
  std::string_view attributes;
  if (!GetLengthPrefixed(&value, &p->description) || !GetLengthPrefixed(&value, &p->unit) ||
      !GetVarint64(&value, &p->start_time_unix_nano) || !GetVarint64(&value, &p->time_unix_nano) ||
      !GetVarint64(&value, &flags) || flags > UINT32_MAX ||
      !GetLengthPrefixed(&value, &attributes)) {
    return Corrupt();
  }
  p->flags = static_cast<uint32_t>(flags);
  model::Resource holder;
  if (!otlp::DecodeResourceProto(attributes, &holder).ok()) return Corrupt();
  p->attributes = std::move(holder.attributes);
  if (!DecodeValues(&value, bits, p) || !value.empty()) return Corrupt();
  return Status::Ok();
}

}  // namespace tokenscope::store::embedded
