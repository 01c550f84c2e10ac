#include "model/span.h"

#include <algorithm>

namespace tokenscope::model {

bool IsZero(const TraceId& id) {
  return std::all_of(id.begin(), id.end(), [](uint8_t b) { return b == 0; });
}
bool IsZero(const SpanId& id) {
  return std::all_of(id.begin(), id.end(), [](uint8_t b) { return b == 0; });
}

AnyValue AnyValue::String(std::string_view s) {
  AnyValue v;
  v.type = ValueType::kString;
  v.string_value = s;
  return v;
}
AnyValue AnyValue::Bytes(std::string_view s) {
  AnyValue v;
  v.type = ValueType::kBytes;
  v.string_value = s;
  return v;
}
AnyValue AnyValue::Bool(bool b) {
  AnyValue v;
  v.type = ValueType::kBool;
  v.bool_value = b;
  return v;
}
AnyValue AnyValue::Int(int64_t i) {
  AnyValue v;
  v.type = ValueType::kInt;
  v.int_value = i;
  return v;
}
AnyValue AnyValue::Double(double d) {
  AnyValue v;
  v.type = ValueType::kDouble;
  v.double_value = d;
  return v;
}

const AnyValue* FindAttribute(const Attributes& attrs, std::string_view key) {
  for (const auto& kv : attrs) {
    if (kv.key == key) return &kv.value;
  }
  return nullptr;
}

std::string_view SpanKindName(SpanKind kind) {
  switch (kind) {
    case SpanKind::kUnspecified:
      return "unspecified";
    case SpanKind::kInternal:
      return "internal";
    case SpanKind::kServer:
      return "server";
    case SpanKind::kClient:
      return "client";
    case SpanKind::kProducer:
      return "producer";
    case SpanKind::kConsumer:
      return "consumer";
  }
  return "unspecified";
}

std::string_view StatusCodeName(StatusCode code) {
  switch (code) {
    case StatusCode::kUnset:
      return "unset";
    case StatusCode::kOk:
      return "ok";
    case StatusCode::kError:
      return "error";
  }
  return "unset";
}

std::string_view ServiceName(const Resource& resource) {
  const AnyValue* v = FindAttribute(resource.attributes, "service.name");
  if (v != nullptr && v->type == ValueType::kString && !v->string_value.empty()) {
    return v->string_value;
  }
  return "unknown_service";
}

std::string_view SpanBatch::Adopt(std::string buffer) {
  buffers_.push_back(std::make_unique<std::string>(std::move(buffer)));
  return *buffers_.back();
}

}  // namespace tokenscope::model
