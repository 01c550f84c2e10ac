#include "query/cursor.h"

#include <cstring>
#include <tuple>

#include "base/base64.h"

namespace tokenscope::query {
namespace {

constexpr uint8_t kScanCursorVersion = 1;
constexpr uint8_t kRankCursorVersion = 2;
constexpr size_t kScanFixedSize = 1 + 8 + 16 + 8;
constexpr size_t kRankSize = 1 + 1 + 8 + 8 + 16 + 8;

void AppendUint64(std::string& out, uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8) out += static_cast<char>((v >> shift) & 0xFF);
}

uint64_t ReadUint64(const char* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<uint8_t>(p[i]);
  return v;
}

std::string ToUrlSafeBase64(std::string_view raw) {
  std::string text = Base64Encode(raw);
  for (char& c : text) {
    if (c == '+') c = '-';
    if (c == '/') c = '_';
  }
  while (!text.empty() && text.back() == '=') text.pop_back();
  return text;
}

Status NotOurs() {
  return InvalidArgument("cursor is not one this server issued");
}

Status OtherOrder() {
  return InvalidArgument("cursor belongs to a search in another order; start again without it");
}

}  // namespace

std::string SearchCursor::Encode() const {
  std::string raw;
  raw.reserve(kScanFixedSize + scan_token.size());
  raw += static_cast<char>(kScanCursorVersion);
  AppendUint64(raw, start_unix_nano);
  raw.append(model::AsBytes(trace_id));
  raw.append(model::AsBytes(span_id));
  raw += scan_token;
  return ToUrlSafeBase64(raw);
}

StatusOr<SearchCursor> SearchCursor::Decode(std::string_view text) {
  auto raw = Base64Decode(text);
  if (raw && !raw->empty() && static_cast<uint8_t>((*raw)[0]) == kRankCursorVersion) {
    return OtherOrder();
  }
  if (!raw || raw->size() < kScanFixedSize ||
      static_cast<uint8_t>((*raw)[0]) != kScanCursorVersion) {
    return NotOurs();
  }
  SearchCursor c;
  c.start_unix_nano = ReadUint64(raw->data() + 1);
  std::memcpy(c.trace_id.data(), raw->data() + 9, 16);
  std::memcpy(c.span_id.data(), raw->data() + 25, 8);
  c.scan_token = raw->substr(kScanFixedSize);
  return c;
}

bool SearchCursor::WasExamined(uint64_t start, const model::TraceId& trace,
                               const model::SpanId& span) const {
  if (start != start_unix_nano) return start > start_unix_nano;
  return std::tie(trace, span) <= std::tie(trace_id, span_id);
}

std::string RankCursor::Encode() const {
  std::string raw;
  raw.reserve(kRankSize);
  raw += static_cast<char>(kRankCursorVersion);
  raw += static_cast<char>(order);
  AppendUint64(raw, last.primary);
  AppendUint64(raw, last.start_unix_nano);
  raw.append(model::AsBytes(last.trace_id));
  raw.append(model::AsBytes(last.span_id));
  return ToUrlSafeBase64(raw);
}

StatusOr<RankCursor> RankCursor::Decode(std::string_view text, SearchOrder expected) {
  auto raw = Base64Decode(text);
  if (raw && !raw->empty() && static_cast<uint8_t>((*raw)[0]) == kScanCursorVersion) {
    return OtherOrder();
  }
  if (!raw || raw->size() != kRankSize || static_cast<uint8_t>((*raw)[0]) != kRankCursorVersion) {
    return NotOurs();
  }
  if (static_cast<uint8_t>((*raw)[1]) != static_cast<uint8_t>(expected)) return OtherOrder();
  RankCursor c;
  c.order = expected;
  c.last.primary = ReadUint64(raw->data() + 2);
  c.last.start_unix_nano = ReadUint64(raw->data() + 10);
  std::memcpy(c.last.trace_id.data(), raw->data() + 18, 16);
  std::memcpy(c.last.span_id.data(), raw->data() + 34, 8);
  return c;
}

}  // namespace tokenscope::query
