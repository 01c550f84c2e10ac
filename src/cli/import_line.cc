#include "cli/import_line.h"

#include <simdjson.h>

#include <cctype>
#include <charconv>
#include <cmath>
#include <ctime>

namespace tokenscope::cli {
namespace {

using simdjson::dom::element;

// Reads `count` digits at s[*at] into *value.
bool Digits(std::string_view s, size_t* at, int count, int* value) {
  if (*at + count > s.size()) return false;
  int v = 0;
  for (int i = 0; i < count; ++i) {
    const char c = s[*at + i];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  *at += count;
  *value = v;
  return true;
}

bool Expect(std::string_view s, size_t* at, std::string_view chars) {
  if (*at >= s.size() || chars.find(s[*at]) == std::string_view::npos) return false;
  ++*at;
  return true;
}

// Epoch seconds, milliseconds, microseconds or nanoseconds, told apart by magnitude (anything
// from 2001 to 2286 in its own unit).
std::optional<uint64_t> EpochToNanos(double value) {
  if (!(value > 0) || !std::isfinite(value)) return std::nullopt;
  double ns;
  if (value < 1e10) {
    ns = value * 1e9;
  } else if (value < 1e13) {
    ns = value * 1e6;
  } else if (value < 1e16) {
    ns = value * 1e3;
  } else {
    ns = value;
  }
  if (ns >= 1.8e19) return std::nullopt;
  return static_cast<uint64_t>(std::llround(ns));
}

StatusOr<std::optional<int64_t>> OptionalCount(element object, const char* a, const char* b) {
  for (const char* key : {a, b}) {
    if (key == nullptr) continue;
    element value;
    if (object.at_key(key).get(value) != simdjson::SUCCESS || value.is_null()) continue;
    int64_t n = 0;
    double d = 0;
    if (value.get_int64().get(n) == simdjson::SUCCESS && n >= 0) return std::optional<int64_t>(n);
    if (value.get_double().get(d) == simdjson::SUCCESS && d >= 0 && d == std::floor(d) &&
        d < 9.2e18) {
      return std::optional<int64_t>(static_cast<int64_t>(d));
    }
    return InvalidArgument(std::string("'") + key + "' must be a non-negative integer");
  }
  return std::optional<int64_t>();
}

StatusOr<std::optional<double>> OptionalNumber(element object, const char* a, const char* b) {
  for (const char* key : {a, b}) {
    if (key == nullptr) continue;
    element value;
    if (object.at_key(key).get(value) != simdjson::SUCCESS || value.is_null()) continue;
    double d = 0;
    if (value.get_double().get(d) == simdjson::SUCCESS && d >= 0 && std::isfinite(d)) {
      return std::optional<double>(d);
    }
    int64_t n = 0;
    if (value.get_int64().get(n) == simdjson::SUCCESS && n >= 0) {
      return std::optional<double>(static_cast<double>(n));
    }
    return InvalidArgument(std::string("'") + key + "' must be a non-negative number");
  }
  return std::optional<double>();
}

Status OptionalString(element object, const char* a, const char* b, std::string* out) {
  for (const char* key : {a, b}) {
    if (key == nullptr) continue;
    element value;
    if (object.at_key(key).get(value) != simdjson::SUCCESS || value.is_null()) continue;
    std::string_view text;
    if (value.get_string().get(text) != simdjson::SUCCESS) {
      return InvalidArgument(std::string("'") + key + "' must be a string");
    }
    out->assign(text);
    return Status::Ok();
  }
  return Status::Ok();
}

Status ReadTimestamp(element object, ImportedCall* call) {
  element value;
  if (object.at_key("timestamp").get(value) != simdjson::SUCCESS) {
    return InvalidArgument("'timestamp' is required");
  }
  std::optional<uint64_t> ns;
  std::string_view text;
  int64_t integer = 0;
  uint64_t unsigned_integer = 0;
  double number = 0;
  // Integers before doubles: nanosecond timestamps do not survive a trip through a double.
  if (value.get_string().get(text) == simdjson::SUCCESS) {
    ns = ParseRfc3339(text);
  } else if (value.get_int64().get(integer) == simdjson::SUCCESS) {
    if (integer >= 10'000'000'000'000'000) {
      ns = static_cast<uint64_t>(integer);
    } else {
      ns = EpochToNanos(static_cast<double>(integer));
    }
  } else if (value.get_uint64().get(unsigned_integer) == simdjson::SUCCESS) {
    ns = unsigned_integer;
  } else if (value.get_double().get(number) == simdjson::SUCCESS) {
    ns = EpochToNanos(number);
  }
  if (!ns) {
    return InvalidArgument("'timestamp' must be RFC 3339 text or epoch seconds/ms/us/ns");
  }
  call->time_unix_nano = *ns;
  return Status::Ok();
}

Status ReadStatus(element object, ImportedCall* call) {
  element value;
  if (object.at_key("status").get(value) == simdjson::SUCCESS && !value.is_null()) {
    std::string_view text;
    int64_t code = 0;
    if (value.get_string().get(text) == simdjson::SUCCESS) {
      std::string lower(text);
      for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (lower == "error" || lower == "failed" || lower == "failure") {
        call->error = true;
      } else if (lower != "ok" && lower != "success" && lower != "succeeded") {
        return InvalidArgument("'status' must be ok, error or an HTTP status code");
      }
    } else if (value.get_int64().get(code) == simdjson::SUCCESS && code >= 100 && code < 600) {
      call->http_status = code;
      call->error = code >= 400;
    } else {
      return InvalidArgument("'status' must be ok, error or an HTTP status code");
    }
  }
  TS_RETURN_IF_ERROR(OptionalString(object, "error", "error_message", &call->error_message));
  if (!call->error_message.empty()) call->error = true;
  return Status::Ok();
}

Status ReadTagsAndMetadata(element object, ImportedCall* call) {
  element value;
  if (object.at_key("tags").get(value) == simdjson::SUCCESS && !value.is_null()) {
    simdjson::dom::array tags;
    if (value.get_array().get(tags) != simdjson::SUCCESS) {
      return InvalidArgument("'tags' must be an array of strings");
    }
    for (element tag : tags) {
      std::string_view text;
      if (tag.get_string().get(text) != simdjson::SUCCESS) {
        return InvalidArgument("'tags' must be an array of strings");
      }
      call->tags.emplace_back(text);
    }
  }
  if (object.at_key("metadata").get(value) == simdjson::SUCCESS && !value.is_null()) {
    simdjson::dom::object metadata;
    if (value.get_object().get(metadata) != simdjson::SUCCESS) {
      return InvalidArgument("'metadata' must be an object");
    }
    for (auto field : metadata) {
      std::string_view text;
      std::string rendered = field.value.get_string().get(text) == simdjson::SUCCESS
                                 ? std::string(text)
                                 : simdjson::minify(field.value);
      call->metadata.emplace_back(std::string(field.key), std::move(rendered));
    }
  }
  return Status::Ok();
}

}  // namespace

std::optional<uint64_t> ParseRfc3339(std::string_view s) {
  std::tm tm{};
  size_t at = 0;
  int year, month, day, hour, minute, second;
  if (!Digits(s, &at, 4, &year) || !Expect(s, &at, "-") || !Digits(s, &at, 2, &month) ||
      !Expect(s, &at, "-") || !Digits(s, &at, 2, &day) || !Expect(s, &at, "Tt ") ||
      !Digits(s, &at, 2, &hour) || !Expect(s, &at, ":") || !Digits(s, &at, 2, &minute) ||
      !Expect(s, &at, ":") || !Digits(s, &at, 2, &second)) {
    return std::nullopt;
  }
  if (year < 1970 || month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 ||
      second > 60) {
    return std::nullopt;
  }
  uint64_t fraction_ns = 0;
  if (at < s.size() && s[at] == '.') {
    ++at;
    uint64_t scale = 100'000'000;
    size_t digits = 0;
    while (at < s.size() && s[at] >= '0' && s[at] <= '9') {
      fraction_ns += static_cast<uint64_t>(s[at] - '0') * scale;
      scale /= 10;
      ++at;
      ++digits;
    }
    if (digits == 0) return std::nullopt;
  }
  int64_t offset_s = 0;
  if (at < s.size() && (s[at] == 'Z' || s[at] == 'z')) {
    ++at;
  } else if (at < s.size() && (s[at] == '+' || s[at] == '-')) {
    const int sign = s[at] == '-' ? -1 : 1;
    ++at;
    int oh, om;
    if (!Digits(s, &at, 2, &oh) || !Expect(s, &at, ":") || !Digits(s, &at, 2, &om) || oh > 23 ||
        om > 59) {
      return std::nullopt;
    }
    offset_s = sign * (oh * 3600 + om * 60);
  } else {
    return std::nullopt;  // RFC 3339 requires the offset
  }
  if (at != s.size()) return std::nullopt;
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second;
  const int64_t seconds = static_cast<int64_t>(timegm(&tm)) - offset_s;
  if (seconds < 0) return std::nullopt;
  return static_cast<uint64_t>(seconds) * 1'000'000'000 + fraction_ns;
}

StatusOr<ImportedCall> ParseImportLine(std::string_view line) {
  simdjson::dom::parser parser;
  element root;
  if (auto error = parser.parse(simdjson::padded_string(line)).get(root);
      error != simdjson::SUCCESS) {
    return InvalidArgument(std::string("not valid JSON: ") + simdjson::error_message(error));
  }
  if (!root.is_object()) return InvalidArgument("a line must be a JSON object");
  ImportedCall call;
  TS_RETURN_IF_ERROR(ReadTimestamp(root, &call));
  TS_RETURN_IF_ERROR(OptionalString(root, "model", nullptr, &call.model));
  if (call.model.empty()) return InvalidArgument("'model' is required");
  TS_RETURN_IF_ERROR(OptionalString(root, "provider", nullptr, &call.provider));
  TS_RETURN_IF_ERROR(OptionalString(root, "operation", nullptr, &call.operation));
  TS_RETURN_IF_ERROR(OptionalString(root, "service", nullptr, &call.service));
  TS_ASSIGN_OR_RETURN(call.input_tokens, OptionalCount(root, "input_tokens", "prompt_tokens"));
  TS_ASSIGN_OR_RETURN(call.output_tokens,
                      OptionalCount(root, "output_tokens", "completion_tokens"));
  TS_ASSIGN_OR_RETURN(call.total_tokens, OptionalCount(root, "total_tokens", nullptr));
  TS_ASSIGN_OR_RETURN(call.cached_tokens,
                      OptionalCount(root, "cached_tokens", "cache_read_tokens"));
  TS_ASSIGN_OR_RETURN(call.reasoning_tokens, OptionalCount(root, "reasoning_tokens", nullptr));
  TS_ASSIGN_OR_RETURN(std::optional<double> latency_ms,
                      OptionalNumber(root, "latency_ms", "duration_ms"));
  if (latency_ms) call.duration_ns = static_cast<uint64_t>(std::llround(*latency_ms * 1e6));
  TS_ASSIGN_OR_RETURN(std::optional<double> ttft_ms, OptionalNumber(root, "ttft_ms", nullptr));
  if (ttft_ms) call.ttft_ns = static_cast<uint64_t>(std::llround(*ttft_ms * 1e6));
  TS_RETURN_IF_ERROR(ReadStatus(root, &call));
  TS_RETURN_IF_ERROR(OptionalString(root, "prompt", nullptr, &call.prompt));
  TS_RETURN_IF_ERROR(OptionalString(root, "completion", nullptr, &call.completion));
  TS_RETURN_IF_ERROR(OptionalString(root, "prompt_hash", nullptr, &call.prompt_hash));
  TS_RETURN_IF_ERROR(OptionalString(root, "request_id", nullptr, &call.request_id));
  TS_RETURN_IF_ERROR(OptionalString(root, "trace_id", nullptr, &call.trace_id_hex));
  if (!call.trace_id_hex.empty() &&
      (call.trace_id_hex.size() != 32 ||
       call.trace_id_hex.find_first_not_of("0123456789abcdefABCDEF") != std::string::npos ||
       call.trace_id_hex.find_first_not_of('0') == std::string::npos)) {
    return InvalidArgument("'trace_id' must be 32 hex digits, not all zero");
  }
  TS_RETURN_IF_ERROR(OptionalString(root, "user", "user_id", &call.user));
  TS_RETURN_IF_ERROR(OptionalString(root, "session", "session_id", &call.session));
  TS_RETURN_IF_ERROR(ReadTagsAndMetadata(root, &call));
  return call;
}

}  // namespace tokenscope::cli
