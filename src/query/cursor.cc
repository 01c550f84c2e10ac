#include "query/cursor.h"

#include <cstring>
#include <tuple>

#include "base/base64.h"

namespace tokenscope::query {
namespace {

constexpr uint8_t kCursorVersion = 1;
constexpr size_t kFixedSize = 1 + 8 + 16 + 8;

}  // namespace

std::string SearchCursor::Encode() const {
  std::string raw;
  raw.reserve(kFixedSize + scan_token.size());
  raw += static_cast<char>(kCursorVersion);
  for (int shift = 56; shift >= 0; shift -= 8) {
    raw += static_cast<char>((start_unix_nano >> shift) & 0xFF);
  }
  raw.append(model::AsBytes(trace_id));
  raw.append(model::AsBytes(span_id));
  raw += scan_token;
  std::string text = Base64Encode(raw);
  for (char& c : text) {
    if (c == '+') c = '-';
    if (c == '/') c = '_';
  }
  while (!text.empty() && text.back() == '=') text.pop_back();
  return text;
}

StatusOr<SearchCursor> SearchCursor::Decode(std::string_view text) {
  auto raw = Base64Decode(text);
  if (!raw || raw->size() < kFixedSize || static_cast<uint8_t>((*raw)[0]) != kCursorVersion) {
    return InvalidArgument("cursor is not one this server issued");
  }
  SearchCursor c;
  for (int i = 0; i < 8; ++i) {
    c.start_unix_nano = (c.start_unix_nano << 8) | static_cast<uint8_t>((*raw)[1 + i]);
  }
  std::memcpy(c.trace_id.data(), raw->data() + 9, 16);
  std::memcpy(c.span_id.data(), raw->data() + 25, 8);
  c.scan_token = raw->substr(kFixedSize);
  return c;
}

bool SearchCursor::WasExamined(uint64_t start, const model::TraceId& trace,
                               const model::SpanId& span) const {
  if (start != start_unix_nano) return start > start_unix_nano;
  return std::tie(trace, span) <= std::tie(trace_id, span_id);
}

}  // namespace tokenscope::query
