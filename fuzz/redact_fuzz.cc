// libFuzzer target for redaction (src/redact/redactor.h).
//
// The input is redacted as one string value, and inside a span and a log record. Nothing may
// crash, leak, read out of bounds or hang, and every result must keep the redactor's promises:
//   - output grows at most by a placeholder (plus two quotes in JSON) per replaced byte,
//     so a value can never blow up without bound;
//   - placeholders match no built-in detector: redacting again keeps every one of them (it
//     may still find more, as a value's neighbours changed: "+1 415 1763000+0012300000" has a
//     second number that only stands alone once the first is a placeholder);
//   - input that is JSON stays JSON.
#include <simdjson.h>

#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

#include "model/log_record.h"
#include "model/span.h"
#include "redact/redactor.h"

namespace {

namespace model = tokenscope::model;
namespace redact = tokenscope::redact;

void Require(bool condition) {
  if (!condition) std::abort();
}

std::unique_ptr<redact::Redactor> Build(redact::RedactionConfig config) {
  auto redactor = redact::Redactor::Create(config);
  Require(redactor.ok());
  return std::move(redactor).value();
}

// Built-in detectors only, and with custom patterns (one with a capture group) everywhere.
const redact::Redactor& Builtins() {
  static const auto redactor = Build({});
  return *redactor;
}

const redact::Redactor& WithCustom() {
  static const auto redactor = [] {
    redact::RedactionConfig config;
    config.defaults.fields = redact::FieldScope::kAll;
    config.defaults.patterns = {{"ticket", R"(TCK-\d+)"}, {"pw", R"(pw=(\S+))"}, {"x", "x"}};
    return Build(config);
  }();
  return *redactor;
}

bool IsJson(std::string_view text) {
  const size_t first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos || (text[first] != '{' && text[first] != '[')) return false;
  static simdjson::dom::parser parser;
  simdjson::dom::element root;
  return parser.parse(text.data(), text.size()).get(root) == simdjson::SUCCESS;
}

size_t Placeholders(std::string_view text) {
  size_t count = 0;
  for (size_t at = text.find("[REDACTED:"); at != std::string_view::npos;
       at = text.find("[REDACTED:", at + 1)) {
    ++count;
  }
  return count;
}

void CheckText(const redact::Redactor& redactor, std::string_view input, bool builtins_only) {
  const std::optional<std::string> out = redactor.RedactText("p", input);
  if (!out) return;
  Require(out->size() <= input.size() * (redactor.max_placeholder_size() + 2));
  if (IsJson(input)) Require(IsJson(*out));
  if (!builtins_only) return;
  if (const std::optional<std::string> again = redactor.RedactText("p", *out)) {
    Require(Placeholders(*again) >= Placeholders(*out));
  }
}

void CheckBatches(const redact::Redactor& redactor, std::string_view input) {
  model::SpanBatch spans;
  spans.project = "p";
  spans.resources.emplace_back();
  spans.scopes.emplace_back();
  model::Span& span = spans.spans.emplace_back();
  span.status.message = input;
  span.attributes.push_back({"input.value", model::AnyValue::String(input)});
  span.events.push_back(
      {0, "gen_ai.user.message", {{"content", model::AnyValue::String(input)}}, 0});
  redactor.Redact(&spans);

  model::LogBatch logs;
  logs.project = "p";
  logs.resources.emplace_back();
  logs.scopes.emplace_back();
  logs.logs.emplace_back().body = model::AnyValue::String(input);
  redactor.Redact(&logs);
  // Replaced values live in the batch's arena; reading them must be fine.
  volatile size_t total = span.status.message.size() + logs.logs[0].body.string_value.size();
  (void)total;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  CheckText(Builtins(), input, /*builtins_only=*/true);
  CheckText(WithCustom(), input, /*builtins_only=*/false);
  CheckBatches(WithCustom(), input);
  return 0;
}
