#include "query/log_search.h"

#include <algorithm>
#include <cctype>
#include <charconv>

#include "base/hex.h"

namespace tokenscope::query {
namespace {

// Cursors: "s" + the hex of the store's scan token (time scans), "t" + a decimal record index
// (a trace's records, read whole).
constexpr char kScanCursor = 's';
constexpr char kTraceCursor = 't';

bool ContainsText(const model::AnyValue& value, std::string_view text, int depth = 0) {
  if (depth > 32) return false;
  switch (value.type) {
    case model::ValueType::kString:
      return value.string_value.find(text) != std::string_view::npos;
    case model::ValueType::kArray:
      return std::any_of(
          value.array_value.begin(), value.array_value.end(),
          [&](const model::AnyValue& v) { return ContainsText(v, text, depth + 1); });
    case model::ValueType::kKvList:
      return std::any_of(
          value.kvlist_value.begin(), value.kvlist_value.end(),
          [&](const model::KeyValue& kv) { return ContainsText(kv.value, text, depth + 1); });
    default:
      return false;
  }
}

bool Matches(const LogQuery& q, const model::LogRecord& record, const model::Resource& resource) {
  if (q.uncorrelated_only && record.has_trace_id()) return false;
  if (q.trace_id && record.trace_id != *q.trace_id) return false;
  if (q.span_id && record.span_id != *q.span_id) return false;
  if (q.min_severity != 0 && record.severity_number < q.min_severity) return false;
  if (!q.event_name.empty() && model::EventName(record) != q.event_name) return false;
  if (!q.service.empty() && model::ServiceName(resource) != q.service) return false;
  if (!q.text.empty() && !ContainsText(record.body, q.text)) return false;
  return true;
}

StatusOr<LogSearchPage> SearchTraceLogs(store::Store& store, const LogQuery& q,
                                        const LogMatchVisitor& visit) {
  size_t begin = 0;
  if (!q.cursor.empty()) {
    std::string_view digits = std::string_view(q.cursor).substr(1);
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), begin);
    if (q.cursor[0] != kTraceCursor || digits.empty() || ec != std::errc() ||
        end != digits.data() + digits.size()) {
      return InvalidArgument("malformed cursor for a search by trace id");
    }
  }
  TS_ASSIGN_OR_RETURN(model::LogBatch batch, store.GetTraceLogs(q.project, *q.trace_id));
  LogSearchPage page;
  size_t matched = 0;
  for (size_t i = begin; i < batch.logs.size(); ++i) {
    const model::LogRecord& record = batch.logs[i];
    ++page.examined;
    const uint64_t time = store::LogTime(record);
    if (time < q.start_unix_nano || time >= q.end_unix_nano) continue;
    if (!Matches(q, record, batch.ResourceOf(record))) continue;
    if (matched == q.limit) {
      page.next_cursor = kTraceCursor + std::to_string(i);
      break;
    }
    visit(record, batch.ResourceOf(record), batch.ScopeOf(record));
    ++matched;
  }
  return page;
}

StatusOr<LogSearchPage> ScanAllLogs(store::Store& store, const LogQuery& q,
                                    const LogMatchVisitor& visit) {
  store::LogScan scan{q.project, q.start_unix_nano, q.end_unix_nano, ""};
  if (!q.cursor.empty()) {
    const std::string_view hex = std::string_view(q.cursor).substr(1);
    scan.resume_after.resize(hex.size() / 2);
    if (q.cursor[0] != kScanCursor || hex.size() % 2 != 0 ||
        !HexDecode(hex, reinterpret_cast<uint8_t*>(scan.resume_after.data()))) {
      return InvalidArgument("malformed cursor");
    }
  }
  LogSearchPage page;
  size_t matched = 0;
  std::string last_examined;
  Status scanned =
      store.ScanLogs(scan, [&](const model::LogRecord& record, const model::Resource& resource,
                               const model::Scope& scope, const store::ScanPosition& position) {
        if (page.examined == q.max_examined) {
          page.next_cursor = kScanCursor + HexEncode(last_examined);
          return false;
        }
        ++page.examined;
        if (Matches(q, record, resource)) {
          if (matched == q.limit) {
            page.next_cursor = kScanCursor + HexEncode(last_examined);
            return false;
          }
          visit(record, resource, scope);
          ++matched;
        }
        last_examined = position.token;
        return true;
      });
  if (scanned.code() == StatusCode::kInvalidArgument) return InvalidArgument("malformed cursor");
  TS_RETURN_IF_ERROR(scanned);
  return page;
}

}  // namespace

StatusOr<int32_t> ParseSeverity(std::string_view text) {
  int32_t number = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), number);
  if (!text.empty() && ec == std::errc() && end == text.data() + text.size()) {
    if (number >= 1 && number <= 24) return number;
  } else {
    std::string upper(text);
    std::transform(upper.begin(), upper.end(), upper.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    // SeverityNumber ranges of the OTel logs data model: TRACE 1-4, DEBUG 5-8, INFO 9-12,
    // WARN 13-16, ERROR 17-20, FATAL 21-24.
    static constexpr std::pair<std::string_view, int32_t> kNames[] = {
        {"TRACE", 1},    {"DEBUG", 5},  {"INFO", 9},  {"WARN", 13},
        {"WARNING", 13}, {"ERROR", 17}, {"FATAL", 21}};
    for (const auto& [name, value] : kNames) {
      if (upper == name) return value;
    }
  }
  return InvalidArgument(
      "severity must be 1-24 or one of TRACE, DEBUG, INFO, WARN, ERROR, "
      "FATAL, got '" +
      std::string(text) + "'");
}

StatusOr<LogSearchPage> SearchLogs(store::Store& store, const LogQuery& query,
                                   const LogMatchVisitor& visit) {
  if (query.span_id && !query.trace_id) {
    return InvalidArgument("a span id needs the trace id it belongs to");
  }
  if (query.trace_id) return SearchTraceLogs(store, query, visit);
  return ScanAllLogs(store, query, visit);
}

}  // namespace tokenscope::query
