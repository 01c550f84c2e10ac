#include "semconv/coerce.h"

#include <simdjson.h>

#include <charconv>
#include <cmath>
#include <limits>

#include "base/base64.h"

namespace tokenscope::semconv {
namespace {

using model::AnyValue;
using model::ValueType;

std::string FormatDouble(double d) {
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), d);
  if (ec != std::errc()) return {};
  return std::string(buf, end);
}

// Appends `s` replacing every invalid UTF-8 sequence with U+FFFD, so that text from a
// malformed attribute still yields valid JSON for the parser.
void AppendSanitizedUtf8(std::string_view s, std::string* out) {
  size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    size_t len = c < 0x80           ? 1
                 : (c >> 5) == 0x6  ? 2
                 : (c >> 4) == 0xE  ? 3
                 : (c >> 3) == 0x1E ? 4
                                    : 0;
    bool ok = len != 0 && i + len <= s.size();
    for (size_t k = 1; ok && k < len; ++k) {
      ok = (static_cast<unsigned char>(s[i + k]) & 0xC0) == 0x80;
    }
    if (ok && len > 1 && !simdjson::validate_utf8(s.data() + i, len)) ok = false;
    if (ok) {
      out->append(s.substr(i, len));
      i += len;
    } else {
      out->append("\xEF\xBF\xBD");
      ++i;
    }
  }
}

void AppendJson(const AnyValue& value, int depth_left, std::string* out) {
  if (depth_left <= 0) {
    out->append("null");
    return;
  }
  switch (value.type) {
    case ValueType::kEmpty:
      out->append("null");
      return;
    case ValueType::kString:
      AppendJsonString(value.string_value, out);
      return;
    case ValueType::kBytes:
      AppendJsonString(Base64Encode(value.string_value), out);
      return;
    case ValueType::kBool:
      out->append(value.bool_value ? "true" : "false");
      return;
    case ValueType::kInt:
      out->append(std::to_string(value.int_value));
      return;
    case ValueType::kDouble:
      out->append(std::isfinite(value.double_value) ? FormatDouble(value.double_value) : "null");
      return;
    case ValueType::kArray: {
      out->push_back('[');
      bool first = true;
      for (const AnyValue& element : value.array_value) {
        if (!first) out->push_back(',');
        first = false;
        AppendJson(element, depth_left - 1, out);
      }
      out->push_back(']');
      return;
    }
    case ValueType::kKvList: {
      out->push_back('{');
      bool first = true;
      for (const model::KeyValue& kv : value.kvlist_value) {
        if (!first) out->push_back(',');
        first = false;
        AppendJsonString(kv.key, out);
        out->push_back(':');
        AppendJson(kv.value, depth_left - 1, out);
      }
      out->push_back('}');
      return;
    }
  }
  out->append("null");
}

}  // namespace

std::string_view Trim(std::string_view s) {
  constexpr std::string_view kSpace = " \t\r\n";
  const size_t begin = s.find_first_not_of(kSpace);
  if (begin == std::string_view::npos) return {};
  const size_t end = s.find_last_not_of(kSpace);
  return s.substr(begin, end - begin + 1);
}

std::string ToLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::optional<int64_t> DoubleToInt(double d) {
  // 2^63 is exactly representable; anything at or beyond it does not fit.
  constexpr double kLimit = 9223372036854775808.0;
  if (!std::isfinite(d) || d >= kLimit || d < -kLimit) return std::nullopt;
  return static_cast<int64_t>(std::llround(d));
}

std::optional<int64_t> ParseInt(std::string_view text) {
  text = Trim(text);
  if (text.empty()) return std::nullopt;
  if (text.front() == '+') text.remove_prefix(1);
  int64_t value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec == std::errc() && ptr == text.data() + text.size()) return value;
  // "12.0" or "1e3": accept decimal spellings of whole numbers.
  std::optional<double> d = ParseDouble(text);
  if (!d) return std::nullopt;
  return DoubleToInt(*d);
}

std::optional<double> ParseDouble(std::string_view text) {
  text = Trim(text);
  if (text.empty()) return std::nullopt;
  if (text.front() == '+') text.remove_prefix(1);
  double value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size() || !std::isfinite(value)) {
    return std::nullopt;
  }
  return value;
}

std::string AsString(const AnyValue& value) {
  switch (value.type) {
    case ValueType::kString:
      return std::string(value.string_value);
    case ValueType::kInt:
      return std::to_string(value.int_value);
    case ValueType::kDouble:
      return std::isfinite(value.double_value) ? FormatDouble(value.double_value) : std::string();
    case ValueType::kBool:
      return value.bool_value ? "true" : "false";
    default:
      return {};
  }
}

std::optional<int64_t> AsInt(const AnyValue& value) {
  switch (value.type) {
    case ValueType::kInt:
      return value.int_value;
    case ValueType::kDouble:
      return DoubleToInt(value.double_value);
    case ValueType::kString:
      return ParseInt(value.string_value);
    default:
      return std::nullopt;
  }
}

std::optional<double> AsDouble(const AnyValue& value) {
  switch (value.type) {
    case ValueType::kDouble:
      if (!std::isfinite(value.double_value)) return std::nullopt;
      return value.double_value;
    case ValueType::kInt:
      return static_cast<double>(value.int_value);
    case ValueType::kString:
      return ParseDouble(value.string_value);
    default:
      return std::nullopt;
  }
}

std::optional<bool> AsBool(const AnyValue& value) {
  switch (value.type) {
    case ValueType::kBool:
      return value.bool_value;
    case ValueType::kInt:
      if (value.int_value == 0 || value.int_value == 1) return value.int_value == 1;
      return std::nullopt;
    case ValueType::kString: {
      const std::string lower = ToLower(Trim(value.string_value));
      if (lower == "true" || lower == "1") return true;
      if (lower == "false" || lower == "0") return false;
      return std::nullopt;
    }
    default:
      return std::nullopt;
  }
}

std::vector<std::string> AsStringList(const AnyValue& value) {
  std::vector<std::string> out;
  if (value.type == ValueType::kArray) {
    for (const AnyValue& element : value.array_value) {
      std::string s = AsString(element);
      if (!s.empty()) out.push_back(std::move(s));
    }
    return out;
  }
  if (value.type != ValueType::kString) {
    std::string s = AsString(value);
    if (!s.empty()) out.push_back(std::move(s));
    return out;
  }
  const std::string_view text = Trim(value.string_value);
  if (text.empty()) return out;
  if (text.front() == '[') {
    simdjson::dom::parser parser;
    simdjson::dom::array array;
    if (parser.parse(text.data(), text.size()).get_array().get(array) == simdjson::SUCCESS) {
      for (simdjson::dom::element element : array) {
        std::string_view s;
        if (element.get_string().get(s) == simdjson::SUCCESS && !s.empty()) out.emplace_back(s);
      }
      return out;
    }
  }
  out.emplace_back(value.string_value);
  return out;
}

void AppendJsonString(std::string_view s, std::string* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string clean;
  if (!simdjson::validate_utf8(s.data(), s.size())) {
    AppendSanitizedUtf8(s, &clean);
    s = clean;
  }
  out->push_back('"');
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"':
        out->append("\\\"");
        break;
      case '\\':
        out->append("\\\\");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\r':
        out->append("\\r");
        break;
      case '\t':
        out->append("\\t");
        break;
      default:
        if (c < 0x20) {
          out->append("\\u00");
          out->push_back(kHex[c >> 4]);
          out->push_back(kHex[c & 0xF]);
        } else {
          out->push_back(ch);
        }
    }
  }
  out->push_back('"');
}

std::string AnyValueToJson(const AnyValue& value, int max_depth) {
  std::string out;
  AppendJson(value, max_depth, &out);
  return out;
}

}  // namespace tokenscope::semconv
