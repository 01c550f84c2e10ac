// Test support for src/semconv/ (used only by *_test.cc): builds a span the way an
// instrumentation library's exporter would deliver it, with exact attribute keys and value
// types, and normalizes it. The fixture owns the bytes every view points into. Header-only;
// not thread-safe (a plain test helper).
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "base/arena.h"
#include "model/llm.h"
#include "model/span.h"
#include "semconv/normalizer.h"

namespace tokenscope::semconv::testing {

// 2025-01-02T03:04:05Z, the start of every test span.
inline constexpr uint64_t kSpanStart = 1735787045000000000ull;

class TestSpan {
 public:
  TestSpan() {
    span.name = "test";
    span.start_time_unix_nano = kSpanStart;
    span.end_time_unix_nano = kSpanStart + 2'000'000'000;
  }
  TestSpan(const TestSpan&) = delete;
  TestSpan& operator=(const TestSpan&) = delete;

  // Values (strings are copied into the fixture).
  model::AnyValue S(std::string_view s) { return model::AnyValue::String(Keep(s)); }
  static model::AnyValue I(int64_t i) { return model::AnyValue::Int(i); }
  static model::AnyValue D(double d) { return model::AnyValue::Double(d); }
  static model::AnyValue B(bool b) { return model::AnyValue::Bool(b); }
  model::AnyValue Strings(std::initializer_list<std::string_view> items) {
    model::AnyValue v;
    v.type = model::ValueType::kArray;
    for (std::string_view item : items) v.array_value.push_back(S(item));
    return v;
  }
  static model::AnyValue Array(std::vector<model::AnyValue> items) {
    model::AnyValue v;
    v.type = model::ValueType::kArray;
    v.array_value = std::move(items);
    return v;
  }
  model::AnyValue Map(std::vector<std::pair<std::string_view, model::AnyValue>> members) {
    model::AnyValue v;
    v.type = model::ValueType::kKvList;
    for (auto& [key, value] : members) v.kvlist_value.push_back({Keep(key), std::move(value)});
    return v;
  }

  // Span attributes.
  TestSpan& Attr(std::string_view key, model::AnyValue value) {
    span.attributes.push_back({Keep(key), std::move(value)});
    return *this;
  }
  TestSpan& Str(std::string_view key, std::string_view value) { return Attr(key, S(value)); }
  TestSpan& Int(std::string_view key, int64_t value) { return Attr(key, I(value)); }
  TestSpan& Dbl(std::string_view key, double value) { return Attr(key, D(value)); }
  TestSpan& Bool(std::string_view key, bool value) { return Attr(key, B(value)); }
  TestSpan& Strs(std::string_view key, std::initializer_list<std::string_view> items) {
    return Attr(key, Strings(items));
  }

  // A span event `offset_ns` after the span start.
  TestSpan& Event(std::string_view name, uint64_t offset_ns,
                  std::vector<std::pair<std::string_view, model::AnyValue>> attrs = {}) {
    model::Event event;
    event.name = Keep(name);
    event.time_unix_nano = kSpanStart + offset_ns;
    for (auto& [key, value] : attrs) event.attributes.push_back({Keep(key), std::move(value)});
    span.events.push_back(std::move(event));
    return *this;
  }

  std::optional<model::LlmInfo> Normalize() const {
    return semconv::Normalize(NormalizeInput{span, resource, scope});
  }

  model::Span span;
  model::Resource resource;
  model::Scope scope;

 private:
  std::string_view Keep(std::string_view s) { return arena_.Copy(s); }
  Arena arena_;
};

}  // namespace tokenscope::semconv::testing
