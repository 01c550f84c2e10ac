// Internal to the OTLP/JSON decoders (traces and logs): the parsing helpers and the decoding
// of the values every signal shares (AnyValue, KeyValue, Resource, InstrumentationScope), on
// simdjson's DOM API with its error-code interface only. Not part of the public interface;
// include only from src/otlp/*.cc.
//
// JsonFieldDecoder walks one parsed request: strings are copied into an arena the caller owns,
// and the path of the element being read is kept for error messages. One instance per
// request; not thread-safe.
#pragma once

#include <simdjson.h>

#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "base/arena.h"
#include "base/base64.h"
#include "base/hex.h"
#include "base/status.h"
#include "model/span.h"
#include "otlp/decode_result.h"

namespace tokenscope::otlp::json_internal {

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

inline std::optional<double> ParseDoubleString(std::string_view s) {
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

// The calling thread's parser, shared by every OTLP/JSON decoder.
inline simdjson::dom::parser& ThreadParser() {
  thread_local simdjson::dom::parser parser;
  return parser;
}

inline void ReleaseIfLarge(simdjson::dom::parser& parser) {
  if (parser.capacity() > kMaxRetainedParserCapacity) parser = simdjson::dom::parser();
}

class JsonFieldDecoder {
 public:
  JsonFieldDecoder(Arena* arena, const DecodeLimits& limits) : arena_(arena), limits_(limits) {
    path_.reserve(16);
  }

 protected:
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
  std::vector<PathStep> path_;
};

}  // namespace tokenscope::otlp::json_internal
