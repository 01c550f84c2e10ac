// libFuzzer target for the filter language (src/query/filter).
//
// Any input must either parse or fail with InvalidArgument whose message is
// "position N: ..." with N and the byte offset inside the input; never crash, leak or
// recurse without bound. Whatever parses must format to canonical text that parses back to
// the same canonical text (a fixed point) and evaluates the same way; it must evaluate
// against spans with and without every field, and the equality conditions a planner would
// use an index for must hold for every span the filter matches.
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "query/filter/filter_ast.h"
#include "query/filter/filter_eval.h"
#include "query/filter/filter_parser.h"

namespace {

using tokenscope::StatusCode;
using tokenscope::StatusOr;
namespace model = tokenscope::model;
namespace filter = tokenscope::query::filter;

void Require(bool condition) {
  if (!condition) std::abort();
}

// A span with every field set (full) or none (bare), and attributes of every type.
class Subject : public filter::FilterSubject {
 public:
  explicit Subject(bool full) : full_(full) {
    if (!full) return;
    using model::AnyValue;
    AnyValue array;
    array.type = model::ValueType::kArray;
    array.array_value = {AnyValue::String("a"), AnyValue::Int(-1), AnyValue(),
                         AnyValue::Double(std::numeric_limits<double>::infinity())};
    AnyValue map;
    map.type = model::ValueType::kKvList;
    map.kvlist_value = {{"k", AnyValue::String("v")}, {"nested", array}};
    attributes_ = {{"s", AnyValue::String("search")},
                   {"i", AnyValue::Int(503)},
                   {"big", AnyValue::Int(std::numeric_limits<int64_t>::min())},
                   {"d", AnyValue::Double(0.5)},
                   {"nan", AnyValue::Double(std::nan(""))},
                   {"b", AnyValue::Bool(true)},
                   {"bytes", AnyValue::Bytes("\x00\xff")},
                   {"array", array},
                   {"map", map},
                   {"empty", AnyValue()}};
    resource_ = {{"service.name", AnyValue::String("api")}, {"x", AnyValue::Int(1)}};
  }

  std::optional<std::string_view> StringField(filter::Field field) const override {
    if (!full_) return std::nullopt;
    switch (field) {
      case filter::Field::kStatus:
        return "error";
      case filter::Field::kTraceId:
        return "5b8efff798038103d269b633813fc60c";
      case filter::Field::kOutput:
        return "Sorry, I cannot help with that.";
      default:
        return filter::FieldName(field);  // service = "service", model = "model", ...
    }
  }
  std::optional<double> NumberField(filter::Field field) const override {
    if (!full_) return std::nullopt;
    return static_cast<double>(static_cast<int>(field)) * 1e9 + 0.5;
  }
  const model::AnyValue* Attribute(std::string_view key) const override {
    return model::FindAttribute(attributes_, key);
  }
  const model::AnyValue* ResourceAttribute(std::string_view key) const override {
    return model::FindAttribute(resource_, key);
  }

 private:
  bool full_;
  model::Attributes attributes_;
  model::Attributes resource_;
};

size_t CountCharacters(std::string_view text) {
  size_t chars = 0;
  for (char c : text) chars += (static_cast<unsigned char>(c) & 0xC0) != 0x80 ? 1 : 0;
  return chars;
}

void CheckFailure(std::string_view input, const StatusOr<filter::Filter>& parsed,
                  const filter::ParseError& error) {
  Require(parsed.status().code() == StatusCode::kInvalidArgument);
  Require(!error.message.empty());
  Require(parsed.status().message() == error.ToString());
  Require(error.byte_offset <= input.size());
  Require(error.position <= CountCharacters(input));
  Require(error.position + error.length <= CountCharacters(input));
}

void CheckSuccess(const filter::Filter& parsed, const filter::ParseLimits& limits) {
  const Subject full(true);
  const Subject bare(false);
  const bool matches_full = filter::Evaluate(parsed, full);
  const bool matches_bare = filter::Evaluate(parsed, bare);

  // A planner may scan an equality index: every match must carry the indexed value.
  if (matches_full) {
    for (const auto& [field, value] : filter::IndexableEqualities(parsed)) {
      Require(full.StringField(field) == std::optional<std::string_view>(value));
    }
  }
  if (!filter::IndexableEqualities(parsed).empty()) Require(!matches_bare);
  (void)filter::FieldsUsed(parsed);

  const std::string once = filter::FormatFilter(parsed);
  Require(parsed.empty() == once.empty());
  if (once.size() > limits.max_length) return;  // canonical text may be longer than the input
  filter::ParseError error;
  StatusOr<filter::Filter> again = filter::ParseFilter(once, &error, limits);
  Require(again.ok());
  Require(filter::FormatFilter(*again) == once);
  Require(filter::Evaluate(*again, full) == matches_full);
  Require(filter::Evaluate(*again, bare) == matches_bare);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  filter::ParseLimits limits;
  limits.max_depth = 16;  // small enough that the fuzzer reaches the limit
  filter::ParseError error;
  StatusOr<filter::Filter> parsed = filter::ParseFilter(input, &error, limits);
  if (parsed.ok()) {
    CheckSuccess(*parsed, limits);
  } else {
    CheckFailure(input, parsed, error);
  }
  return 0;
}
