#include "cli/trace_render.h"

#include <charconv>
#include <cmath>
#include <unordered_map>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

#include "cli/format.h"

namespace tokenscope::cli {
namespace {

using JsonValue = rapidjson::Value;

constexpr size_t kMaxSpanColumnWidth = 100;
constexpr size_t kMaxStatusColumnWidth = 80;
constexpr size_t kMaxRootColumnWidth = 48;
constexpr size_t kMaxServiceColumnWidth = 32;
constexpr size_t kIndentPerDepth = 2;
// Deeper spans keep this indentation and show their depth instead, so a pathological chain of
// thousands of spans neither runs off the screen nor costs time quadratic in its length.
constexpr int kMaxIndentedDepth = 24;

StatusOr<rapidjson::Document> ParseJsonObject(std::string_view body) {
  rapidjson::Document document;
  document.Parse(body.data(), body.size());
  if (document.HasParseError()) {
    return InvalidArgument(fmt::format("the server's answer is not JSON ({} at offset {})",
                                       rapidjson::GetParseError_En(document.GetParseError()),
                                       document.GetErrorOffset()));
  }
  if (!document.IsObject()) return InvalidArgument("the server's answer is not a JSON object");
  return document;
}

const JsonValue* Member(const JsonValue& object, const char* name) {
  if (!object.IsObject()) return nullptr;
  auto it = object.FindMember(name);
  return it == object.MemberEnd() ? nullptr : &it->value;
}

std::string_view StringMember(const JsonValue& object, const char* name) {
  const JsonValue* value = Member(object, name);
  if (value == nullptr || !value->IsString()) return {};
  return std::string_view(value->GetString(), value->GetStringLength());
}

// Integers arrive as JSON numbers (counts, durations) or as decimal strings (unix nanos, which
// exceed 2^53); both are accepted for every field.
std::optional<int64_t> IntegerMember(const JsonValue& object, const char* name) {
  const JsonValue* value = Member(object, name);
  if (value == nullptr) return std::nullopt;
  if (value->IsInt64()) return value->GetInt64();
  if (value->IsUint64()) return INT64_MAX;
  if (value->IsDouble()) {
    double number = value->GetDouble();
    if (!std::isfinite(number) || std::abs(number) >= 9.2e18) return std::nullopt;
    return static_cast<int64_t>(number);
  }
  if (value->IsString()) {
    int64_t parsed = 0;
    const char* begin = value->GetString();
    const char* end = begin + value->GetStringLength();
    auto [stop, error] = std::from_chars(begin, end, parsed);
    if (error == std::errc() && stop == end) return parsed;
  }
  return std::nullopt;
}

int64_t DurationOf(const JsonValue& object) {
  if (auto duration = IntegerMember(object, "duration_ns")) return *duration;
  auto start = IntegerMember(object, "start_time_unix_nano");
  auto end = IntegerMember(object, "end_time_unix_nano");
  if (start && end) return *end - *start;
  return 0;
}

std::string Indent(int depth) {
  if (depth <= kMaxIndentedDepth) return std::string(depth * kIndentPerDepth, ' ');
  return fmt::format("{}[{}] ", std::string(kMaxIndentedDepth * kIndentPerDepth, ' '), depth);
}

std::string Plural(int64_t count, std::string_view noun) {
  return fmt::format("{} {}{}", count, noun, count == 1 ? "" : "s");
}

// The span tree of one trace answer, spans in the answer's order (by start time).
class SpanForest {
 public:
  explicit SpanForest(const JsonValue& spans) {
    for (const JsonValue& span : spans.GetArray()) spans_.push_back(&span);
    children_.resize(spans_.size());
    std::unordered_map<std::string_view, size_t> index_by_id;
    for (size_t i = 0; i < spans_.size(); ++i) {
      index_by_id.emplace(StringMember(*spans_[i], "span_id"), i);
    }
    for (size_t i = 0; i < spans_.size(); ++i) {
      std::string_view parent = StringMember(*spans_[i], "parent_span_id");
      auto it = parent.empty() ? index_by_id.end() : index_by_id.find(parent);
      if (it == index_by_id.end() || it->second == i) {
        roots_.push_back(i);
      } else {
        children_[it->second].push_back(i);
      }
    }
  }

  // Calls visit(span, depth) depth-first, children in answer order. Iterative, so a degenerate
  // chain of many thousand spans cannot exhaust the stack; spans caught in a parent cycle
  // (invalid data) are still shown, as roots, each exactly once.
  template <typename Visit>
  void Walk(Visit&& visit) const {
    std::vector<bool> visited(spans_.size(), false);
    auto walk_from = [&](size_t root) {
      std::vector<std::pair<size_t, int>> stack = {{root, 0}};
      while (!stack.empty()) {
        auto [index, depth] = stack.back();
        stack.pop_back();
        if (visited[index]) continue;
        visited[index] = true;
        visit(*spans_[index], depth);
        const std::vector<size_t>& children = children_[index];
        for (auto it = children.rbegin(); it != children.rend(); ++it) {
          stack.emplace_back(*it, depth + 1);
        }
      }
    };
    for (size_t root : roots_) walk_from(root);
    for (size_t i = 0; i < spans_.size(); ++i) {
      if (!visited[i]) walk_from(i);
    }
  }

 private:
  std::vector<const JsonValue*> spans_;
  std::vector<std::vector<size_t>> children_;
  std::vector<size_t> roots_;
};

std::string SpanStatusText(const JsonValue& span, bool* is_error) {
  const JsonValue* status = Member(span, "status");
  std::string_view code = status ? StringMember(*status, "code") : std::string_view();
  *is_error = code == "error";
  if (!*is_error) return code == "ok" ? "ok" : "";
  std::string_view message = StringMember(*status, "message");
  return message.empty() ? "ERROR" : fmt::format("ERROR: {}", message);
}

std::string TraceHeadline(const rapidjson::Document& document, size_t span_count) {
  std::string_view trace_id = StringMember(document, "trace_id");
  const JsonValue* summary = Member(document, "summary");
  if (summary == nullptr || !summary->IsObject()) {
    return SanitizeForTerminal(fmt::format("trace {}  {}", trace_id, Plural(span_count, "span")));
  }
  std::string_view root = StringMember(*summary, "root_name");
  std::string_view service = StringMember(*summary, "root_service");
  int64_t spans = IntegerMember(*summary, "span_count").value_or(span_count);
  int64_t errors = IntegerMember(*summary, "error_count").value_or(0);
  std::string line = fmt::format("trace {}", trace_id);
  if (!root.empty()) line += fmt::format("  {}", root);
  if (!service.empty()) line += fmt::format(" ({})", service);
  line += fmt::format("  {}  {}, {}", FormatDuration(DurationOf(*summary)), Plural(spans, "span"),
                      Plural(errors, "error"));
  return SanitizeForTerminal(line);
}

}  // namespace

StatusOr<std::string> RenderTraceTree(std::string_view response_body,
                                      const RenderOptions& options) {
  TS_ASSIGN_OR_RETURN(rapidjson::Document document, ParseJsonObject(response_body));
  const JsonValue* spans = Member(document, "spans");
  if (spans == nullptr || !spans->IsArray()) {
    return InvalidArgument("the server's answer has no \"spans\" list");
  }
  TextTable table({{"SPAN", TextTable::Align::kLeft, kMaxSpanColumnWidth},
                   {"SERVICE", TextTable::Align::kLeft, kMaxServiceColumnWidth},
                   {"KIND", TextTable::Align::kLeft, 0},
                   {"DURATION", TextTable::Align::kRight, 0},
                   {"STATUS", TextTable::Align::kLeft, kMaxStatusColumnWidth}});
  SpanForest forest(*spans);
  forest.Walk([&](const JsonValue& span, int depth) {
    bool is_error = false;
    std::string status = SpanStatusText(span, &is_error);
    std::string indent = Indent(depth);
    // Sanitize before indenting so the name, not the indent, is what gets cut when too deep.
    table.AddRow(
        {indent + SanitizeForTerminal(StringMember(span, "name")),
         std::string(StringMember(span, "service")), std::string(StringMember(span, "kind")),
         FormatDuration(DurationOf(span)), std::move(status)},
        is_error);
  });
  std::string out = TraceHeadline(document, spans->Size()) + "\n\n" + table.Render(options.color);
  std::optional<int64_t> total = IntegerMember(document, "total_spans");
  if (total && *total > static_cast<int64_t>(spans->Size())) {
    out += fmt::format("(showing {} of {} spans)\n", spans->Size(), *total);
  }
  return out;
}

namespace {

// The extra column of an ordered search page: the value it is sorted by, when the default
// columns do not show it already.
struct SortColumn {
  std::string header;
  const char* member;  // of the trace summary
  bool usd = false;    // nano-USD shown as dollars

  std::string Format(const JsonValue& trace) const {
    int64_t value = IntegerMember(trace, member).value_or(0);
    return usd ? fmt::format("${:.6f}", static_cast<double>(value) / 1e9) : std::to_string(value);
  }
};

std::optional<SortColumn> SortColumnFor(std::string_view order) {
  if (order == "cost_desc") return SortColumn{"COST", "cost_nanos_usd", true};
  if (order == "tokens_desc") return SortColumn{"TOKENS", "total_tokens", false};
  if (order == "llm_calls_desc") return SortColumn{"LLM CALLS", "llm_call_count", false};
  return std::nullopt;
}

}  // namespace

StatusOr<TraceTable> RenderTraceSearchTable(std::string_view response_body,
                                            const RenderOptions& options) {
  TS_ASSIGN_OR_RETURN(rapidjson::Document document, ParseJsonObject(response_body));
  const JsonValue* traces = Member(document, "traces");
  if (traces == nullptr || !traces->IsArray()) {
    return InvalidArgument("the server's answer has no \"traces\" list");
  }
  std::vector<TextTable::Column> columns = {
      {"TRACE ID", TextTable::Align::kLeft, 0},
      {"START", TextTable::Align::kLeft, 0},
      {"ROOT", TextTable::Align::kLeft, kMaxRootColumnWidth},
      {"SERVICE", TextTable::Align::kLeft, kMaxServiceColumnWidth},
      {"DURATION", TextTable::Align::kRight, 0},
      {"SPANS", TextTable::Align::kRight, 0},
      {"ERRORS", TextTable::Align::kRight, 0}};
  std::optional<SortColumn> sort_column = SortColumnFor(StringMember(document, "order"));
  if (sort_column) columns.push_back({sort_column->header, TextTable::Align::kRight, 0});
  TextTable table(std::move(columns));
  for (const JsonValue& trace : traces->GetArray()) {
    if (!trace.IsObject()) return InvalidArgument("a trace summary is not a JSON object");
    std::optional<int64_t> start = IntegerMember(trace, "start_time_unix_nano");
    std::string_view root = StringMember(trace, "root_name");
    int64_t errors = IntegerMember(trace, "error_count").value_or(0);
    std::vector<std::string> cells = {
        std::string(StringMember(trace, "trace_id")),
        start ? FormatLocalTimestamp(*start) : "",
        root.empty() ? "(root not received)" : std::string(root),
        std::string(StringMember(trace, "root_service")),
        FormatDuration(DurationOf(trace)),
        std::to_string(IntegerMember(trace, "span_count").value_or(0)),
        std::to_string(errors)};
    if (sort_column) cells.push_back(sort_column->Format(trace));
    table.AddRow(std::move(cells), errors > 0);
  }
  TraceTable result;
  result.text = table.Render(options.color);
  result.trace_count = table.row_count();
  std::string_view cursor = StringMember(document, "next_cursor");
  if (!cursor.empty()) result.next_cursor = std::string(cursor);
  const JsonValue* partial = Member(document, "partial");
  if (partial != nullptr && partial->IsBool() && partial->GetBool()) {
    result.partial_reason = SanitizeForTerminal(StringMember(document, "partial_reason"));
  }
  return result;
}

std::string DescribeErrorResponse(int status, std::string_view reason, std::string_view body) {
  rapidjson::Document document;
  document.Parse(body.data(), body.size());
  if (!document.HasParseError()) {
    const JsonValue* error = Member(document, "error");
    std::string_view message = error ? StringMember(*error, "message") : std::string_view();
    if (!message.empty()) return SanitizeForTerminal(message);
  }
  constexpr size_t kMaxBodyShown = 200;
  std::string text = fmt::format("HTTP {} {}", status, reason);
  if (!body.empty()) text += fmt::format(": {}", TruncateToWidth(body, kMaxBodyShown));
  return SanitizeForTerminal(text);
}

}  // namespace tokenscope::cli
