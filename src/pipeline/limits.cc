#include "pipeline/limits.h"

#include <algorithm>

namespace tokenscope::pipeline {
namespace {

// Cuts long strings (and bytes) in `value`, nested ones included; returns how many were cut.
uint64_t TruncateValue(uint64_t max_bytes, model::AnyValue* value) {
  uint64_t cut = 0;
  switch (value->type) {
    case model::ValueType::kString:
      if (value->string_value.size() > max_bytes) {
        value->string_value = Utf8Prefix(value->string_value, max_bytes);
        ++cut;
      }
      break;
    case model::ValueType::kBytes:
      if (value->string_value.size() > max_bytes) {
        value->string_value = value->string_value.substr(0, max_bytes);
        ++cut;
      }
      break;
    case model::ValueType::kArray:
      for (model::AnyValue& item : value->array_value) cut += TruncateValue(max_bytes, &item);
      break;
    case model::ValueType::kKvList:
      for (model::KeyValue& kv : value->kvlist_value) cut += TruncateValue(max_bytes, &kv.value);
      break;
    default:
      break;
  }
  return cut;
}

// Caps an attribute list (count, then value sizes). Returns the values cut; adds the dropped
// attributes to *dropped_count and the report.
uint64_t LimitAttributes(const IngestLimits& limits, model::Attributes* attributes,
                         uint32_t* dropped_count, LimitReport* report) {
  if (limits.max_attributes != 0 && attributes->size() > limits.max_attributes) {
    const uint64_t dropped = attributes->size() - limits.max_attributes;
    attributes->resize(limits.max_attributes);
    *dropped_count += static_cast<uint32_t>(std::min<uint64_t>(dropped, UINT32_MAX));
    report->attributes_dropped += dropped;
  }
  uint64_t cut = 0;
  if (limits.max_value_bytes != 0) {
    for (model::KeyValue& kv : *attributes) cut += TruncateValue(limits.max_value_bytes, &kv.value);
  }
  return cut;
}

// Keeps the first `max` elements (OTel SDKs keep the first ones too); returns how many went.
template <typename T>
uint64_t KeepFirst(uint64_t max, std::vector<T>* items) {
  if (max == 0 || items->size() <= max) return 0;
  const uint64_t dropped = items->size() - max;
  items->erase(items->begin() + static_cast<std::ptrdiff_t>(max), items->end());
  return dropped;
}

void MarkTruncated(uint64_t cut, model::Attributes* attributes, LimitReport* report) {
  if (cut == 0) return;
  report->values_truncated += cut;
  attributes->push_back(
      {kTruncatedValuesAttribute, model::AnyValue::Int(static_cast<int64_t>(cut))});
}

template <typename Item>
void RejectPastRequestLimit(const IngestLimits& limits, std::string_view what,
                            std::vector<Item>* items, LimitReport* report) {
  const uint64_t dropped = KeepFirst(limits.max_items_per_request, items);
  if (dropped == 0) return;
  report->items_rejected += dropped;
  if (report->rejection_message.empty()) {
    report->rejection_message =
        "the request carries " + std::to_string(dropped + limits.max_items_per_request) + " " +
        std::string(what) + "; the limit is " + std::to_string(limits.max_items_per_request) +
        " per request, the rest were rejected";
  }
}

}  // namespace

std::string_view Utf8Prefix(std::string_view s, uint64_t max_bytes) {
  if (s.size() <= max_bytes) return s;
  size_t end = max_bytes;
  // Step back over continuation bytes (10xxxxxx) to the start of the sequence that crosses the
  // cut, and drop that whole sequence.
  while (end > 0 && (static_cast<uint8_t>(s[end]) & 0xC0) == 0x80) --end;
  return s.substr(0, end);
}

void ApplyLimits(const IngestLimits& limits, model::SpanBatch* batch, LimitReport* report) {
  RejectPastRequestLimit(limits, "spans", &batch->spans, report);
  for (model::Span& span : batch->spans) {
    uint64_t cut =
        LimitAttributes(limits, &span.attributes, &span.dropped_attributes_count, report);
    const uint64_t events = KeepFirst(limits.max_events_per_span, &span.events);
    span.dropped_events_count += static_cast<uint32_t>(std::min<uint64_t>(events, UINT32_MAX));
    report->events_dropped += events;
    const uint64_t links = KeepFirst(limits.max_links_per_span, &span.links);
    span.dropped_links_count += static_cast<uint32_t>(std::min<uint64_t>(links, UINT32_MAX));
    report->links_dropped += links;
    for (model::Event& event : span.events) {
      cut += LimitAttributes(limits, &event.attributes, &event.dropped_attributes_count, report);
    }
    for (model::Link& link : span.links) {
      cut += LimitAttributes(limits, &link.attributes, &link.dropped_attributes_count, report);
    }
    MarkTruncated(cut, &span.attributes, report);
  }
}

void ApplyLimits(const IngestLimits& limits, model::LogBatch* batch, LimitReport* report) {
  RejectPastRequestLimit(limits, "log records", &batch->logs, report);
  for (model::LogRecord& record : batch->logs) {
    uint64_t cut =
        LimitAttributes(limits, &record.attributes, &record.dropped_attributes_count, report);
    if (limits.max_value_bytes != 0) cut += TruncateValue(limits.max_value_bytes, &record.body);
    MarkTruncated(cut, &record.attributes, report);
  }
}

void ApplyLimits(const IngestLimits& limits, model::MetricBatch* batch, LimitReport* report) {
  RejectPastRequestLimit(limits, "data points", &batch->points, report);
  for (model::MetricPoint& point : batch->points) {
    uint32_t dropped = 0;
    const uint64_t cut = LimitAttributes(limits, &point.attributes, &dropped, report);
    MarkTruncated(cut, &point.attributes, report);
  }
}

}  // namespace tokenscope::pipeline
