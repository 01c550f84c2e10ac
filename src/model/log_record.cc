#include "model/log_record.h"

#include <utility>

namespace tokenscope::model {

std::string_view EventName(const LogRecord& record) {
  if (!record.event_name.empty()) return record.event_name;
  const AnyValue* v = FindAttribute(record.attributes, "event.name");
  if (v != nullptr && v->type == ValueType::kString) return v->string_value;
  return {};
}

Event LogRecordAsEvent(const LogRecord& record) {
  Event event;
  event.name = EventName(record);
  event.time_unix_nano =
      record.time_unix_nano != 0 ? record.time_unix_nano : record.observed_time_unix_nano;
  event.attributes = record.attributes;
  if (record.body.type != ValueType::kEmpty) event.attributes.push_back({"body", record.body});
  event.dropped_attributes_count = record.dropped_attributes_count;
  return event;
}

std::string_view LogBatch::Adopt(std::string buffer) {
  buffers_.push_back(std::make_unique<std::string>(std::move(buffer)));
  return *buffers_.back();
}

}  // namespace tokenscope::model
