#include "model/log_record.h"

#include <utility>

namespace tokenscope::model {

std::string_view EventName(const LogRecord& record) {
  if (!record.event_name.empty()) return record.event_name;
  const AnyValue* v = FindAttribute(record.attributes, "event.name");
  if (v != nullptr && v->type == ValueType::kString) return v->string_value;
  return {};
}

std::string_view LogBatch::Adopt(std::string buffer) {
  buffers_.push_back(std::make_unique<std::string>(std::move(buffer)));
  return *buffers_.back();
}

}  // namespace tokenscope::model
