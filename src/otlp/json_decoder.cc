// OTLP/JSON decoding on simdjson's DOM API.
//
// The whole document is parsed first (simdjson validates JSON syntax and UTF-8), then the
// tree is walked into staging vectors owned by a JsonTraceDecoder. Only when the walk
// succeeds are the staged resources, scopes and spans moved into the caller's batch, so a
// failed request leaves the batch untouched (strings copied into its arena aside).
//
// Only simdjson's error-code API is used, so no simdjson exception can escape.

#include "otlp/json_decoder.h"

#include <simdjson.h>

#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "base/base64.h"
#include "base/hex.h"

namespace tokenscope::otlp {
namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

// A parser keeps its buffers (several times the largest document seen) between calls.
// Beyond this size they are released after use so one huge request does not pin memory in
// every server thread.
constexpr size_t kMaxRetainedParserCapacity = 8 << 20;

// One step of a field path such as `resourceSpans[0].scopeSpans[1].spans[2].name`: either a
// member key or an array index.
struct PathStep {
  std::string_view key;  // empty for an array index
  size_t index = 0;
};

// Which problem, if any, an id field had. Ids that are not well-formed hex of the right
// length make the span invalid (rejected) rather than the request malformed.
enum class IdState { kAbsent, kValid, kMalformed };

// Parses a whole decimal string (optional leading '-' for signed types) into T.
template <typename T>
std::optional<T> ParseDecimal(std::string_view s) {
  T value{};
  const char* end = s.data() + s.size();
  auto [ptr, ec] = std::from_chars(s.data(), end, value);
  if (ec != std::errc() || ptr != end || s.empty()) return std::nullopt;
  return value;
}

// Converts a double that holds an exact integer within the range of T (int64_t or uint64_t),
// as proto3 JSON allows ("1e3" or "5.0" for an integer field).
template <typename T>
std::optional<T> IntegralDouble(double d) {
  // 2^63 and 2^64 are exact doubles; the limits are exclusive at the top.
  constexpr double kUpper = std::is_signed_v<T> ? 9223372036854775808.0 : 18446744073709551616.0;
  constexpr double kLower = std::is_signed_v<T> ? -9223372036854775808.0 : 0.0;
  if (!(d >= kLower && d < kUpper) || std::trunc(d) != d) return std::nullopt;
  return static_cast<T>(d);
}

std::optional<double> ParseDoubleString(std::string_view s) {
  if (s == "NaN") return std::numeric_limits<double>::quiet_NaN();
  if (s == "Infinity") return std::numeric_limits<double>::infinity();
  if (s == "-Infinity") return -std::numeric_limits<double>::infinity();
  double value = 0;
  const char* end = s.data() + s.size();
  auto [ptr, ec] = std::from_chars(s.data(), end, value);
  if (ec != std::errc() || ptr != end || s.empty() || !std::isfinite(value)) return std::nullopt;
  return value;
}

// Decodes `text` as exactly N bytes of hex into `id`. Empty text means absent.
template <size_t N>
IdState DecodeId(std::string_view text, std::array<uint8_t, N>* id) {
  if (text.empty()) {
    id->fill(0);
    return IdState::kAbsent;
  }
  if (text.size() != 2 * N || !HexDecode(text, id->data())) {
    id->fill(0);
    return IdState::kMalformed;
  }
  return IdState::kValid;
}

std::optional<model::SpanKind> SpanKindFromName(std::string_view name) {
  static constexpr std::pair<std::string_view, model::SpanKind> kNames[] = {
      {"SPAN_KIND_UNSPECIFIED", model::SpanKind::kUnspecified},
      {"SPAN_KIND_INTERNAL", model::SpanKind::kInternal},
      {"SPAN_KIND_SERVER", model::SpanKind::kServer},
      {"SPAN_KIND_CLIENT", model::SpanKind::kClient},
      {"SPAN_KIND_PRODUCER", model::SpanKind::kProducer},
      {"SPAN_KIND_CONSUMER", model::SpanKind::kConsumer},
  };
  for (const auto& [text, kind] : kNames) {
    if (text == name) return kind;
  }
  return std::nullopt;
}

std::optional<model::StatusCode> StatusCodeFromName(std::string_view name) {
  static constexpr std::pair<std::string_view, model::StatusCode> kNames[] = {
      {"STATUS_CODE_UNSET", model::StatusCode::kUnset},
      {"STATUS_CODE_OK", model::StatusCode::kOk},
      {"STATUS_CODE_ERROR", model::StatusCode::kError},
  };
  for (const auto& [text, code] : kNames) {
    if (text == name) return code;
  }
  return std::nullopt;
}

// Walks one parsed ExportTraceServiceRequest. Resources, scopes and spans are staged here and
// handed to the batch by CommitTo(); strings are copied into the batch's arena as they are
// read. One instance per request; not thread-safe.
class JsonTraceDecoder {
 public:
  JsonTraceDecoder(model::SpanBatch* batch, const DecodeLimits& limits)
      : arena_(&batch->arena()),
        limits_(limits),
        resource_base_(batch->resources.size()),
        scope_base_(batch->scopes.size()) {
    path_.reserve(16);
  }

  Status DecodeRequest(element root) {
    if (!root.is_object()) return InvalidArgument("request body: expected a JSON object");
    return ForEachMember(root, [&](std::string_view key, element value) {
      if (key != "resourceSpans") return Status::Ok();
      return ForEachElement(value, [&](element rs) { return DecodeResourceSpans(rs); });
    });
  }

  void CommitTo(model::SpanBatch* batch, DecodeResult* result) {
    MoveAppend(&resources_, &batch->resources);
    MoveAppend(&scopes_, &batch->scopes);
    if (result != nullptr) {
      result->accepted_spans += spans_.size();
      result->rejected_spans += rejected_spans_;
      if (result->rejection_message.empty()) result->rejection_message = first_rejection_;
    }
    MoveAppend(&spans_, &batch->spans);
  }

 private:
  template <typename T>
  static void MoveAppend(std::vector<T>* from, std::vector<T>* to) {
    if (to->empty()) {
      *to = std::move(*from);
      return;
    }
    to->insert(to->end(), std::make_move_iterator(from->begin()),
               std::make_move_iterator(from->end()));
  }

  // ---- Error paths -------------------------------------------------------------------------

  // Keeps `path_` in step with the walk; the path is rendered only when an error occurs.
  class PathScope {
   public:
    PathScope(std::vector<PathStep>* path, PathStep step) : path_(path) { path_->push_back(step); }
    ~PathScope() { path_->pop_back(); }
    PathScope(const PathScope&) = delete;
    PathScope& operator=(const PathScope&) = delete;

   private:
    std::vector<PathStep>* path_;
  };

  // "resourceSpans[0].scopeSpans[1].spans[2]", or "request body" at the top.
  std::string RenderPath() const {
    std::string message;
    for (const PathStep& step : path_) {
      if (step.key.empty()) {
        message += '[';
        message += std::to_string(step.index);
        message += ']';
      } else {
        if (!message.empty()) message += '.';
        message += step.key;
      }
    }
    if (message.empty()) message = "request body";
    return message;
  }

  Status Error(std::string_view what) const {
    std::string message = RenderPath();
    message += ": ";
    message += what;
    return InvalidArgument(std::move(message));
  }

  // ---- Structure ---------------------------------------------------------------------------

  // Calls fn(key, value) for every member of the object `value` whose value is not null
  // (null means absent in OTLP/JSON), with the key on the error path.
  template <typename Fn>
  Status ForEachMember(element value, Fn&& fn) {
    simdjson::dom::object object;
    if (value.get_object().get(object) != simdjson::SUCCESS) return Error("expected object");
    for (simdjson::dom::key_value_pair member : object) {
      if (member.value.is_null()) continue;
      PathScope scope(&path_, {member.key, 0});
      TS_RETURN_IF_ERROR(fn(member.key, member.value));
    }
    return Status::Ok();
  }

  // Calls fn(element) for every element of the array `value`, with the index on the path.
  template <typename Fn>
  Status ForEachElement(element value, Fn&& fn) {
    simdjson::dom::array array;
    if (value.get_array().get(array) != simdjson::SUCCESS) return Error("expected array");
    size_t index = 0;
    for (element item : array) {
      PathScope scope(&path_, {{}, index++});
      TS_RETURN_IF_ERROR(fn(item));
    }
    return Status::Ok();
  }

  Status DecodeResourceSpans(element value) {
    const size_t local_resource = resources_.size();
    const auto resource_index = static_cast<uint32_t>(resource_base_ + local_resource);
    resources_.emplace_back();
    return ForEachMember(value, [&](std::string_view key, element member) {
      if (key == "resource") return DecodeResource(member, &resources_[local_resource]);
      if (key == "schemaUrl") return ReadString(member, &resources_[local_resource].schema_url);
      if (key == "scopeSpans") {
        return ForEachElement(member,
                              [&](element ss) { return DecodeScopeSpans(ss, resource_index); });
      }
      return Status::Ok();
    });
  }

  Status DecodeScopeSpans(element value, uint32_t resource_index) {
    const size_t local_scope = scopes_.size();
    const auto scope_index = static_cast<uint32_t>(scope_base_ + local_scope);
    scopes_.emplace_back();
    return ForEachMember(value, [&](std::string_view key, element member) {
      if (key == "scope") return DecodeScope(member, &scopes_[local_scope]);
      if (key == "schemaUrl") return ReadString(member, &scopes_[local_scope].schema_url);
      if (key == "spans") {
        return ForEachElement(member, [&](element span) {
          return DecodeAndStageSpan(span, resource_index, scope_index);
        });
      }
      return Status::Ok();
    });
  }

  Status DecodeResource(element value, model::Resource* resource) {
    return ForEachMember(value, [&](std::string_view key, element member) {
      if (key == "attributes") return DecodeAttributes(member, &resource->attributes);
      if (key == "droppedAttributesCount") {
        return ReadUint32(member, &resource->dropped_attributes_count);
      }
      return Status::Ok();
    });
  }

  Status DecodeScope(element value, model::Scope* scope) {
    return ForEachMember(value, [&](std::string_view key, element member) {
      if (key == "name") return ReadString(member, &scope->name);
      if (key == "version") return ReadString(member, &scope->version);
      if (key == "attributes") return DecodeAttributes(member, &scope->attributes);
      if (key == "droppedAttributesCount") {
        return ReadUint32(member, &scope->dropped_attributes_count);
      }
      return Status::Ok();
    });
  }

  // ---- Spans -------------------------------------------------------------------------------

  // What a span's ids looked like, checked once the whole span has been read.
  struct SpanIdStates {
    IdState trace_id = IdState::kAbsent;
    IdState span_id = IdState::kAbsent;
    IdState parent_span_id = IdState::kAbsent;
    std::string link_problem;  // the first malformed link id, if any
  };

  Status DecodeAndStageSpan(element value, uint32_t resource_index, uint32_t scope_index) {
    model::Span span;
    span.resource_index = resource_index;
    span.scope_index = scope_index;
    SpanIdStates ids;
    TS_RETURN_IF_ERROR(DecodeSpan(value, &span, &ids));
    std::string problem = ValidateSpanIds(span, ids);
    if (!problem.empty()) {
      ++rejected_spans_;
      if (first_rejection_.empty()) {
        first_rejection_ = RenderPath() + ": " + problem;
      }
      return Status::Ok();
    }
    spans_.push_back(std::move(span));
    return Status::Ok();
  }

  // The same rules the protobuf decoder applies: trace_id 16 bytes and not all zero, span_id
  // 8 bytes and not all zero, parent_span_id empty or 8 bytes. Returns "" when valid.
  static std::string ValidateSpanIds(const model::Span& span, const SpanIdStates& ids) {
    if (ids.trace_id != IdState::kValid) return "trace_id must be 16 bytes (32 hex digits)";
    if (model::IsZero(span.trace_id)) return "trace_id must not be all zero";
    if (ids.span_id != IdState::kValid) return "span_id must be 8 bytes (16 hex digits)";
    if (model::IsZero(span.span_id)) return "span_id must not be all zero";
    if (ids.parent_span_id == IdState::kMalformed) {
      return "parent_span_id must be empty or 8 bytes (16 hex digits)";
    }
    return ids.link_problem;
  }

  Status DecodeSpan(element value, model::Span* span, SpanIdStates* ids) {
    return ForEachMember(value, [&](std::string_view key, element member) -> Status {
      // Most frequent keys first.
      if (key == "traceId") return ReadId(member, &span->trace_id, &ids->trace_id);
      if (key == "spanId") return ReadId(member, &span->span_id, &ids->span_id);
      if (key == "parentSpanId") {
        return ReadId(member, &span->parent_span_id, &ids->parent_span_id);
      }
      if (key == "name") return ReadString(member, &span->name);
      if (key == "kind") return ReadSpanKind(member, &span->kind);
      if (key == "startTimeUnixNano") return ReadUint64(member, &span->start_time_unix_nano);
      if (key == "endTimeUnixNano") return ReadUint64(member, &span->end_time_unix_nano);
      if (key == "attributes") return DecodeAttributes(member, &span->attributes);
      if (key == "status") return DecodeStatus(member, &span->status);
      if (key == "traceState") return ReadString(member, &span->trace_state);
      if (key == "flags") return ReadUint32(member, &span->flags);
      if (key == "events") {
        return ForEachElement(member, [&](element event) {
          return DecodeEvent(event, &span->events.emplace_back());
        });
      }
      if (key == "links") {
        return ForEachElement(member, [&](element link) {
          return DecodeLink(link, &span->links.emplace_back(), &ids->link_problem);
        });
      }
      if (key == "droppedAttributesCount") {
        return ReadUint32(member, &span->dropped_attributes_count);
      }
      if (key == "droppedEventsCount") return ReadUint32(member, &span->dropped_events_count);
      if (key == "droppedLinksCount") return ReadUint32(member, &span->dropped_links_count);
      return Status::Ok();
    });
  }

  Status DecodeEvent(element value, model::Event* event) {
    return ForEachMember(value, [&](std::string_view key, element member) {
      if (key == "timeUnixNano") return ReadUint64(member, &event->time_unix_nano);
      if (key == "name") return ReadString(member, &event->name);
      if (key == "attributes") return DecodeAttributes(member, &event->attributes);
      if (key == "droppedAttributesCount") {
        return ReadUint32(member, &event->dropped_attributes_count);
      }
      return Status::Ok();
    });
  }

  // A link's ids may be empty; otherwise they must be well-formed, or the span is rejected
  // (recorded in `link_problem`) since the model cannot hold an id of another length.
  Status DecodeLink(element value, model::Link* link, std::string* link_problem) {
    const size_t link_number = path_.back().index;
    IdState trace_id = IdState::kAbsent;
    IdState span_id = IdState::kAbsent;
    TS_RETURN_IF_ERROR(ForEachMember(value, [&](std::string_view key, element member) {
      if (key == "traceId") return ReadId(member, &link->trace_id, &trace_id);
      if (key == "spanId") return ReadId(member, &link->span_id, &span_id);
      if (key == "traceState") return ReadString(member, &link->trace_state);
      if (key == "attributes") return DecodeAttributes(member, &link->attributes);
      if (key == "droppedAttributesCount") {
        return ReadUint32(member, &link->dropped_attributes_count);
      }
      if (key == "flags") return ReadUint32(member, &link->flags);
      return Status::Ok();
    }));
    if (link_problem->empty()) {
      const std::string prefix = "links[" + std::to_string(link_number) + "]";
      if (trace_id == IdState::kMalformed) {
        *link_problem = prefix + ".trace_id must be empty or 16 bytes (32 hex digits)";
      } else if (span_id == IdState::kMalformed) {
        *link_problem = prefix + ".span_id must be empty or 8 bytes (16 hex digits)";
      }
    }
    return Status::Ok();
  }

  Status DecodeStatus(element value, model::SpanStatus* status) {
    return ForEachMember(value, [&](std::string_view key, element member) {
      if (key == "code") return ReadStatusCode(member, &status->code);
      if (key == "message") return ReadString(member, &status->message);
      return Status::Ok();
    });
  }

  // ---- Attributes and AnyValue -------------------------------------------------------------

  Status DecodeAttributes(element value, model::Attributes* attributes) {
    return ForEachElement(value, [&](element kv) {
      return DecodeKeyValue(kv, &attributes->emplace_back(), /*depth=*/1);
    });
  }

  // `depth` is the nesting level of the KeyValue's value: 1 for an attribute's value.
  Status DecodeKeyValue(element value, model::KeyValue* kv, int depth) {
    return ForEachMember(value, [&](std::string_view key, element member) {
      if (key == "key") return ReadString(member, &kv->key);
      if (key == "value") return DecodeAnyValue(member, &kv->value, depth);
      return Status::Ok();
    });
  }

  // An AnyValue object sets at most one of its value keys; one with none is kEmpty. Should a
  // sender set several, the last one wins, as it would for a repeated JSON key.
  Status DecodeAnyValue(element value, model::AnyValue* out, int depth) {
    if (depth > limits_.max_value_depth) {
      return Error("values nested deeper than " + std::to_string(limits_.max_value_depth));
    }
    *out = model::AnyValue();
    return ForEachMember(value, [&](std::string_view key, element member) -> Status {
      if (key == "stringValue") {
        *out = model::AnyValue();
        out->type = model::ValueType::kString;
        return ReadString(member, &out->string_value);
      }
      if (key == "intValue") {
        *out = model::AnyValue();
        out->type = model::ValueType::kInt;
        return ReadInt64(member, &out->int_value);
      }
      if (key == "doubleValue") {
        *out = model::AnyValue();
        out->type = model::ValueType::kDouble;
        return ReadDouble(member, &out->double_value);
      }
      if (key == "boolValue") {
        *out = model::AnyValue();
        out->type = model::ValueType::kBool;
        if (member.get_bool().get(out->bool_value) != simdjson::SUCCESS) {
          return Error("expected boolean");
        }
        return Status::Ok();
      }
      if (key == "arrayValue") {
        *out = model::AnyValue();
        out->type = model::ValueType::kArray;
        return DecodeValueList(member, [&](element item) {
          return DecodeAnyValue(item, &out->array_value.emplace_back(), depth + 1);
        });
      }
      if (key == "kvlistValue") {
        *out = model::AnyValue();
        out->type = model::ValueType::kKvList;
        return DecodeValueList(member, [&](element item) {
          return DecodeKeyValue(item, &out->kvlist_value.emplace_back(), depth + 1);
        });
      }
      if (key == "bytesValue") {
        *out = model::AnyValue();
        out->type = model::ValueType::kBytes;
        return ReadBase64(member, &out->string_value);
      }
      return Status::Ok();
    });
  }

  // ArrayValue and KeyValueList: {"values": [...]}, calling fn per element.
  template <typename Fn>
  Status DecodeValueList(element value, Fn&& fn) {
    return ForEachMember(value, [&](std::string_view key, element member) {
      if (key != "values") return Status::Ok();
      return ForEachElement(member, fn);
    });
  }

  // ---- Scalars -----------------------------------------------------------------------------

  Status ReadString(element value, std::string_view* out) {
    std::string_view text;
    if (value.get_string().get(text) != simdjson::SUCCESS) return Error("expected string");
    *out = arena_->Copy(text);
    return Status::Ok();
  }

  Status ReadBase64(element value, std::string_view* out) {
    std::string_view text;
    if (value.get_string().get(text) != simdjson::SUCCESS) {
      return Error("expected base64 string");
    }
    std::optional<std::string> bytes = Base64Decode(text);
    if (!bytes) return Error("invalid base64");
    *out = arena_->Copy(*bytes);
    return Status::Ok();
  }

  template <size_t N>
  Status ReadId(element value, std::array<uint8_t, N>* id, IdState* state) {
    std::string_view text;
    if (value.get_string().get(text) != simdjson::SUCCESS) return Error("expected hex string");
    *state = DecodeId(text, id);
    return Status::Ok();
  }

  // Reads an integer given as a JSON number or a decimal string (how OTLP/JSON sends 64-bit
  // values), checking T's range.
  template <typename T>
  Status ReadInteger(element value, T* out) {
    std::optional<T> parsed;
    switch (value.type()) {
      case element_type::INT64: {
        int64_t v = 0;
        if (value.get_int64().get(v) == simdjson::SUCCESS) parsed = FitInteger<T>(v);
        break;
      }
      case element_type::UINT64: {
        uint64_t v = 0;
        if (value.get_uint64().get(v) == simdjson::SUCCESS) parsed = FitInteger<T>(v);
        break;
      }
      case element_type::DOUBLE: {
        double v = 0;
        if (value.get_double().get(v) == simdjson::SUCCESS) parsed = FitDouble<T>(v);
        break;
      }
      case element_type::STRING: {
        std::string_view text;
        if (value.get_string().get(text) == simdjson::SUCCESS) parsed = ParseDecimal<T>(text);
        break;
      }
      default:
        break;
    }
    if (!parsed) return Error(IntegerExpectation<T>());
    *out = *parsed;
    return Status::Ok();
  }

  template <typename T, typename V>
  static std::optional<T> FitInteger(V v) {
    if (!std::in_range<T>(v)) return std::nullopt;
    return static_cast<T>(v);
  }

  template <typename T>
  static std::optional<T> FitDouble(double v) {
    using Wide = std::conditional_t<std::is_signed_v<T>, int64_t, uint64_t>;
    std::optional<Wide> wide = IntegralDouble<Wide>(v);
    if (!wide) return std::nullopt;
    return FitInteger<T>(*wide);
  }

  template <typename T>
  static const char* IntegerExpectation() {
    if constexpr (std::is_same_v<T, int64_t>) return "expected integer";
    if constexpr (std::is_same_v<T, uint64_t>) return "expected unsigned 64-bit integer";
    if constexpr (std::is_same_v<T, uint32_t>) return "expected unsigned 32-bit integer";
    return "expected integer";
  }

  Status ReadInt64(element value, int64_t* out) { return ReadInteger(value, out); }
  Status ReadUint64(element value, uint64_t* out) { return ReadInteger(value, out); }
  Status ReadUint32(element value, uint32_t* out) { return ReadInteger(value, out); }

  // doubleValue: a JSON number (integers included) or a string, which may also spell the
  // non-finite values proto3 JSON allows: "NaN", "Infinity", "-Infinity".
  Status ReadDouble(element value, double* out) {
    if (value.is_number()) {
      if (value.get_double().get(*out) != simdjson::SUCCESS) return Error("expected number");
      return Status::Ok();
    }
    std::string_view text;
    std::optional<double> parsed;
    if (value.get_string().get(text) == simdjson::SUCCESS) parsed = ParseDoubleString(text);
    if (!parsed) return Error("expected number");
    *out = *parsed;
    return Status::Ok();
  }

  // Enums are integers in OTLP/JSON; the proto enum names are accepted too since some
  // exporters send them. Values this build does not know read as the default, as an unknown
  // field would.
  Status ReadSpanKind(element value, model::SpanKind* kind) {
    std::string_view name;
    if (value.get_string().get(name) == simdjson::SUCCESS && !IsDecimal(name)) {
      *kind = SpanKindFromName(name).value_or(model::SpanKind::kUnspecified);
      return Status::Ok();
    }
    int64_t number = 0;
    TS_RETURN_IF_ERROR(ReadInteger(value, &number));
    bool known = number >= 0 && number <= static_cast<int64_t>(model::SpanKind::kConsumer);
    *kind = known ? static_cast<model::SpanKind>(number) : model::SpanKind::kUnspecified;
    return Status::Ok();
  }

  Status ReadStatusCode(element value, model::StatusCode* code) {
    std::string_view name;
    if (value.get_string().get(name) == simdjson::SUCCESS && !IsDecimal(name)) {
      *code = StatusCodeFromName(name).value_or(model::StatusCode::kUnset);
      return Status::Ok();
    }
    int64_t number = 0;
    TS_RETURN_IF_ERROR(ReadInteger(value, &number));
    bool known = number >= 0 && number <= static_cast<int64_t>(model::StatusCode::kError);
    *code = known ? static_cast<model::StatusCode>(number) : model::StatusCode::kUnset;
    return Status::Ok();
  }

  static bool IsDecimal(std::string_view s) {
    if (!s.empty() && s.front() == '-') s.remove_prefix(1);
    if (s.empty()) return false;
    for (char c : s) {
      if (c < '0' || c > '9') return false;
    }
    return true;
  }

  Arena* arena_;
  const DecodeLimits& limits_;
  const size_t resource_base_;
  const size_t scope_base_;
  std::vector<PathStep> path_;

  std::vector<model::Resource> resources_;
  std::vector<model::Scope> scopes_;
  std::vector<model::Span> spans_;
  uint64_t rejected_spans_ = 0;
  std::string first_rejection_;
};

simdjson::dom::parser& ThreadParser() {
  thread_local simdjson::dom::parser parser;
  return parser;
}

void ReleaseIfLarge(simdjson::dom::parser& parser) {
  if (parser.capacity() > kMaxRetainedParserCapacity) parser = simdjson::dom::parser();
}

}  // namespace

Status DecodeTraceRequestJson(std::string_view body, model::SpanBatch* batch, DecodeResult* result,
                              const DecodeLimits& limits) {
  // simdjson reads up to SIMDJSON_PADDING bytes past the end of the input; the view carries no
  // such guarantee, so the body is copied into a padded buffer.
  simdjson::padded_string padded(body);
  simdjson::dom::parser& parser = ThreadParser();
  element root;
  if (auto error = parser.parse(padded).get(root); error != simdjson::SUCCESS) {
    ReleaseIfLarge(parser);
    return InvalidArgument(std::string("invalid JSON: ") + simdjson::error_message(error));
  }
  JsonTraceDecoder decoder(batch, limits);
  Status status = decoder.DecodeRequest(root);
  if (status.ok()) decoder.CommitTo(batch, result);
  ReleaseIfLarge(parser);
  return status;
}

}  // namespace tokenscope::otlp
