// Internal to the OTLP protobuf decoders (traces and logs): the wire-level helpers and the
// decoding of the messages both signals share (AnyValue, KeyValue, Resource,
// InstrumentationScope). Not part of the public interface; include only from src/otlp/*.cc.
//
// FieldDecoder holds one decoding call's state (the limits and, on failure, the error
// trail); decoded views point into the input bytes. Not thread-safe: one instance per call.
#pragma once

#include <simdjson.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "model/span.h"
#include "otlp/decode_result.h"
#include "otlp/wire.h"

namespace tokenscope::otlp::proto_internal {

using wire::Reader;
using wire::WireType;

// OTLP requires string fields to be UTF-8, and protobuf parsers reject them otherwise. Most
// telemetry strings are short ASCII keys and values: OR them together a word at a time and
// look at the high bits once. Long strings and anything non-ASCII go to simdjson's
// vectorised validator.
inline bool IsValidUtf8(std::string_view s) {
  const char* p = s.data();
  const size_t n = s.size();
  if (n >= 64) return simdjson::validate_utf8(p, n);
  uint64_t bits = 0;
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t word;
    std::memcpy(&word, p + i, 8);
    bits |= word;
  }
  if (n - i >= 4) {
    uint32_t word;
    std::memcpy(&word, p + i, 4);
    bits |= word;
    i += 4;
  }
  for (; i < n; ++i) bits |= static_cast<uint8_t>(p[i]);
  if ((bits & 0x8080808080808080ULL) == 0) return true;
  return simdjson::validate_utf8(p, n);
}

// Counts the length-delimited occurrences of `field_number` in a message. Walks keys and
// lengths only; stops quietly at malformed input, which the decoding pass then reports.
inline size_t CountLenFields(std::string_view bytes, uint32_t field_number) {
  size_t count = 0;
  Reader r(bytes);
  uint32_t field;
  WireType wt;
  while (!r.done() && r.ReadTag(&field, &wt)) {
    count += field == field_number && wt == WireType::kLen ? 1 : 0;
    if (!r.SkipValue(wt)) break;
  }
  return count;
}

// Grows `v` to hold `extra` more elements, at least doubling so that repeated calls on one
// batch stay amortised linear.
template <typename T>
void ReserveMore(std::vector<T>* v, size_t extra) {
  if (v->size() + extra > v->capacity()) v->reserve(std::max(v->size() + extra, 2 * v->capacity()));
}

// Where decoding failed: the innermost reason plus the path segments, collected innermost
// first while the recursive decoders unwind. Only touched on the error path.
class ErrorTrail {
 public:
  // Both return false so that decoders can `return trail.Fail(...)`.
  bool Fail(std::string_view reason) {
    reason_.assign(reason);
    return false;
  }
  bool Within(std::string_view name, int64_t index = -1) {
    segments_.push_back({std::string(name), index});
    return false;
  }

  // "resource_spans[0].scope_spans[1].spans[3].attributes[2].value: truncated varint"
  std::string Message() const {
    std::string path;
    for (auto it = segments_.rbegin(); it != segments_.rend(); ++it) {
      if (!path.empty()) path += '.';
      path += it->name;
      if (it->index >= 0) path += "[" + std::to_string(it->index) + "]";
    }
    return path.empty() ? reason_ : path + ": " + reason_;
  }

 private:
  struct Segment {
    std::string name;
    int64_t index;
  };
  std::string reason_;
  std::vector<Segment> segments_;
};

// Copies a fixed-size id when `bytes` has exactly its size. Returns false otherwise.
template <size_t N>
bool CopyId(std::string_view bytes, std::array<uint8_t, N>* id) {
  if (bytes.size() != N) return false;
  std::memcpy(id->data(), bytes.data(), N);
  return true;
}

// The decoding of messages shared by every signal, and the scalar field readers. Each method
// decodes one serialized message into the model and returns false on malformed input after
// recording why in the trail. Signal decoders derive from it.
class FieldDecoder {
 public:
  explicit FieldDecoder(const DecodeLimits& limits) : limits_(limits) {}

  std::string ErrorMessage() const { return trail_.Message(); }

  bool DecodeResource(std::string_view bytes, model::Resource* resource) {
    Reader r(bytes);
    while (!r.done()) {
      uint32_t field;
      WireType wt;
      if (!r.ReadTag(&field, &wt)) return trail_.Fail(WireErrorText(r.error()));
      bool ok = true;
      switch (field) {
        case 1:
          ok = AttributeField(r, wt, &resource->attributes);
          break;
        case 2:
          ok = Uint32Field(r, wt, "dropped_attributes_count", &resource->dropped_attributes_count);
          break;
        default:
          ok = SkipUnknown(r, wt, field);
          break;  // also entity_refs (3)
      }
      if (!ok) return false;
    }
    return true;
  }

  bool DecodeScope(std::string_view bytes, model::Scope* scope) {
    Reader r(bytes);
    while (!r.done()) {
      uint32_t field;
      WireType wt;
      if (!r.ReadTag(&field, &wt)) return trail_.Fail(WireErrorText(r.error()));
      bool ok = true;
      switch (field) {
        case 1:
          ok = StringField(r, wt, "name", &scope->name);
          break;
        case 2:
          ok = StringField(r, wt, "version", &scope->version);
          break;
        case 3:
          ok = AttributeField(r, wt, &scope->attributes);
          break;
        case 4:
          ok = Uint32Field(r, wt, "dropped_attributes_count", &scope->dropped_attributes_count);
          break;
        default:
          ok = SkipUnknown(r, wt, field);
          break;
      }
      if (!ok) return false;
    }
    return true;
  }

 protected:
  // KeyValue; `depth` is the nesting depth of its value (1 for a top-level attribute).
  bool DecodeKeyValue(std::string_view bytes, model::KeyValue* kv, int depth) {
    Reader r(bytes);
    while (!r.done()) {
      uint32_t field;
      WireType wt;
      if (!r.ReadTag(&field, &wt)) return trail_.Fail(WireErrorText(r.error()));
      bool ok = true;
      switch (field) {
        case 1:
          ok = StringField(r, wt, "key", &kv->key);
          break;
        case 2: {
          std::string_view body;
          if (!Message(r, wt, "value", -1, &body)) return false;
          if (!DecodeAnyValue(body, &kv->value, depth)) return trail_.Within("value");
          break;
        }
        default:
          ok = SkipUnknown(r, wt, field);
          break;  // also key_strindex (profiles)
      }
      if (!ok) return false;
    }
    return true;
  }

  bool DecodeAnyValue(std::string_view bytes, model::AnyValue* value, int depth) {
    if (depth > limits_.max_value_depth) {
      return trail_.Fail("AnyValue nesting deeper than " + std::to_string(limits_.max_value_depth));
    }
    using model::ValueType;
    Reader r(bytes);
    while (!r.done()) {
      uint32_t field;
      WireType wt;
      if (!r.ReadTag(&field, &wt)) return trail_.Fail(WireErrorText(r.error()));
      bool ok = true;
      switch (field) {
        case 1:
          ok = StringField(r, wt, "string_value", &value->string_value);
          SwitchOneof(value, ValueType::kString);
          break;
        case 2: {
          uint64_t b = 0;
          ok = VarintField(r, wt, "bool_value", &b);
          SwitchOneof(value, ValueType::kBool);
          value->bool_value = b != 0;
          break;
        }
        case 3: {
          uint64_t i = 0;
          ok = VarintField(r, wt, "int_value", &i);
          SwitchOneof(value, ValueType::kInt);
          value->int_value = static_cast<int64_t>(i);
          break;
        }
        case 4: {
          uint64_t bits = 0;
          ok = Fixed64Field(r, wt, "double_value", &bits);
          SwitchOneof(value, ValueType::kDouble);
          std::memcpy(&value->double_value, &bits, sizeof bits);
          break;
        }
        case 5: {
          std::string_view body;
          if (!Message(r, wt, "array_value", -1, &body)) return false;
          SwitchOneof(value, ValueType::kArray);
          if (!DecodeArrayValue(body, &value->array_value, depth))
            return trail_.Within("array_value");
          break;
        }
        case 6: {
          std::string_view body;
          if (!Message(r, wt, "kvlist_value", -1, &body)) return false;
          SwitchOneof(value, ValueType::kKvList);
          if (!DecodeKvList(body, &value->kvlist_value, depth))
            return trail_.Within("kvlist_value");
          break;
        }
        case 7:
          // bytes_value is raw bytes: no UTF-8 check.
          ok = BytesField(r, wt, "bytes_value", &value->string_value);
          SwitchOneof(value, ValueType::kBytes);
          break;
        default:
          ok = SkipUnknown(r, wt, field);
          break;  // also string_value_strindex
      }
      if (!ok) return false;
    }
    return true;
  }

  // ArrayValue{1: repeated AnyValue values}, the values one level deeper than the array.
  bool DecodeArrayValue(std::string_view bytes, std::vector<model::AnyValue>* values, int depth) {
    return DecodeNestedValues(bytes, values, [&](std::string_view body, model::AnyValue* v) {
      return DecodeAnyValue(body, v, depth + 1);
    });
  }

  // KeyValueList{1: repeated KeyValue values}.
  bool DecodeKvList(std::string_view bytes, std::vector<model::KeyValue>* values, int depth) {
    return DecodeNestedValues(bytes, values, [&](std::string_view body, model::KeyValue* kv) {
      return DecodeKeyValue(body, kv, depth + 1);
    });
  }

  // The shared shape of ArrayValue and KeyValueList: field 1 repeats, everything else skips.
  template <typename T, typename DecodeOne>
  bool DecodeNestedValues(std::string_view bytes, std::vector<T>* values, DecodeOne decode_one) {
    Reader r(bytes);
    while (!r.done()) {
      uint32_t field;
      WireType wt;
      if (!r.ReadTag(&field, &wt)) return trail_.Fail(WireErrorText(r.error()));
      if (field == 1) {
        const auto index = static_cast<int64_t>(values->size());
        std::string_view body;
        if (!Message(r, wt, "values", index, &body)) return false;
        if (!decode_one(body, &values->emplace_back())) return trail_.Within("values", index);
      } else if (!SkipUnknown(r, wt, field)) {
        return false;
      }
    }
    return true;
  }

  // ---- Repeated message fields shared by several messages. ----

  bool AttributeField(Reader& r, WireType wt, model::Attributes* attributes) {
    const auto index = static_cast<int64_t>(attributes->size());
    std::string_view body;
    if (!Message(r, wt, "attributes", index, &body)) return false;
    if (!DecodeKeyValue(body, &attributes->emplace_back(), 1))
      return trail_.Within("attributes", index);
    return true;
  }

  // ---- Scalar fields: check the wire type, read, and name the field on failure. ----

  static std::string WrongWireType(WireType got, WireType want) {
    return "wrong wire type " + std::to_string(static_cast<int>(got)) + " (expected " +
           std::to_string(static_cast<int>(want)) + ")";
  }

  bool WireTypeIs(WireType got, WireType want, const char* name) {
    if (got == want) return true;
    trail_.Fail(WrongWireType(got, want));
    return trail_.Within(name);
  }

  bool ReadFailed(const Reader& r, const char* name, int64_t index = -1) {
    trail_.Fail(WireErrorText(r.error()));
    return trail_.Within(name, index);
  }

  // An embedded message's bytes. On failure the path names `name[index]`.
  bool Message(Reader& r, WireType wt, const char* name, int64_t index, std::string_view* body) {
    if (wt != WireType::kLen) {
      trail_.Fail(WrongWireType(wt, WireType::kLen));
      return trail_.Within(name, index);
    }
    if (!r.ReadLengthDelimited(body)) return ReadFailed(r, name, index);
    return true;
  }

  bool BytesField(Reader& r, WireType wt, const char* name, std::string_view* out) {
    if (!WireTypeIs(wt, WireType::kLen, name)) return false;
    if (!r.ReadLengthDelimited(out)) return ReadFailed(r, name);
    return true;
  }

  bool StringField(Reader& r, WireType wt, const char* name, std::string_view* out) {
    if (!BytesField(r, wt, name, out)) return false;
    if (!IsValidUtf8(*out)) {
      trail_.Fail("invalid UTF-8");
      return trail_.Within(name);
    }
    return true;
  }

  bool VarintField(Reader& r, WireType wt, const char* name, uint64_t* out) {
    *out = 0;
    if (!WireTypeIs(wt, WireType::kVarint, name)) return false;
    if (!r.ReadVarint(out)) return ReadFailed(r, name);
    return true;
  }

  // uint32 fields keep the low 32 bits of the varint, as protobuf does.
  bool Uint32Field(Reader& r, WireType wt, const char* name, uint32_t* out) {
    uint64_t v;
    if (!VarintField(r, wt, name, &v)) return false;
    *out = static_cast<uint32_t>(v);
    return true;
  }

  bool Fixed64Field(Reader& r, WireType wt, const char* name, uint64_t* out) {
    if (!WireTypeIs(wt, WireType::kI64, name)) return false;
    if (!r.ReadFixed64(out)) return ReadFailed(r, name);
    return true;
  }

  bool Fixed32Field(Reader& r, WireType wt, const char* name, uint32_t* out) {
    if (!WireTypeIs(wt, WireType::kI32, name)) return false;
    if (!r.ReadFixed32(out)) return ReadFailed(r, name);
    return true;
  }

  bool SkipUnknown(Reader& r, WireType wt, uint32_t field) {
    if (r.SkipValue(wt)) return true;
    trail_.Fail(WireErrorText(r.error()));
    return trail_.Within("field " + std::to_string(field));
  }

  // A oneof member was set: a different member replaces the old value entirely; the same
  // member (arrays, kvlists) keeps merging, as protobuf merges repeated occurrences.
  static void SwitchOneof(model::AnyValue* value, model::ValueType type) {
    if (value->type == type) return;
    value->array_value.clear();
    value->kvlist_value.clear();
    value->bool_value = false;
    value->int_value = 0;
    value->double_value = 0;
    if (type != model::ValueType::kString && type != model::ValueType::kBytes) {
      value->string_value = {};
    }
    value->type = type;
  }

  const DecodeLimits& limits_;
  ErrorTrail trail_;
};

}  // namespace tokenscope::otlp::proto_internal
