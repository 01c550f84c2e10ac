#include "cli/format.h"

#include <time.h>

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

namespace tokenscope::cli {
namespace {

constexpr int64_t kNanosPerSecond = 1'000'000'000;
constexpr std::string_view kRed = "\x1b[31m";
constexpr std::string_view kReset = "\x1b[0m";

// Formats `ns` (>= 1000) with two decimals in the largest unit that keeps the value below the
// unit's rollover after rounding, so 999'999ns reads "1.00ms" rather than "1000.00µs".
std::string FormatSubMinute(uint64_t ns) {
  struct Unit {
    double nanos;
    double rollover;
    const char* suffix;
  };
  static constexpr Unit kUnits[] = {
      {1e3, 999.995, "µs"},
      {1e6, 999.995, "ms"},
      {1e9, 59.995, "s"},
  };
  for (const Unit& unit : kUnits) {
    double value = static_cast<double>(ns) / unit.nanos;
    if (value < unit.rollover) return fmt::format("{:.2f}{}", value, unit.suffix);
  }
  return "";
}

std::string FormatMagnitude(uint64_t ns) {
  if (ns < 1000) return fmt::format("{}ns", ns);
  std::string short_form = FormatSubMinute(ns);
  if (!short_form.empty()) return short_form;
  uint64_t seconds = (ns + kNanosPerSecond / 2) / kNanosPerSecond;
  if (seconds < 3600) return fmt::format("{}m{:02}s", seconds / 60, seconds % 60);
  uint64_t minutes = (seconds + 30) / 60;
  return fmt::format("{}h{:02}m", minutes / 60, minutes % 60);
}

// Length of the well-formed UTF-8 sequence starting at text[i], or 0 if it is malformed
// (truncated, overlong, surrogate or beyond U+10FFFF).
size_t Utf8SequenceLength(std::string_view text, size_t i) {
  auto byte = [&](size_t k) { return static_cast<unsigned char>(text[k]); };
  unsigned char lead = byte(i);
  if (lead < 0x80) return 1;
  size_t length = 0;
  uint32_t code_point = 0;
  if ((lead & 0xE0) == 0xC0) {
    length = 2;
    code_point = lead & 0x1F;
  } else if ((lead & 0xF0) == 0xE0) {
    length = 3;
    code_point = lead & 0x0F;
  } else if ((lead & 0xF8) == 0xF0) {
    length = 4;
    code_point = lead & 0x07;
  } else {
    return 0;
  }
  if (i + length > text.size()) return 0;
  for (size_t k = 1; k < length; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
    code_point = (code_point << 6) | (byte(i + k) & 0x3F);
  }
  static constexpr uint32_t kMinForLength[] = {0, 0, 0x80, 0x800, 0x10000};
  if (code_point < kMinForLength[length]) return 0;
  if (code_point >= 0xD800 && code_point <= 0xDFFF) return 0;
  if (code_point > 0x10FFFF) return 0;
  // C1 control characters (U+0080-U+009F) act like escapes on some terminals.
  if (code_point >= 0x80 && code_point <= 0x9F) return 0;
  return length;
}

bool IsContinuationByte(char c) {
  return (static_cast<unsigned char>(c) & 0xC0) == 0x80;
}

}  // namespace

std::string FormatDuration(int64_t duration_ns) {
  if (duration_ns < 0) {
    // Negate in unsigned arithmetic so INT64_MIN does not overflow.
    return "-" + FormatMagnitude(0 - static_cast<uint64_t>(duration_ns));
  }
  return FormatMagnitude(static_cast<uint64_t>(duration_ns));
}

std::string FormatLocalTimestamp(int64_t unix_nanos) {
  int64_t seconds = unix_nanos / kNanosPerSecond;
  int64_t remainder = unix_nanos % kNanosPerSecond;
  if (remainder < 0) {
    remainder += kNanosPerSecond;
    --seconds;
  }
  time_t as_time_t = static_cast<time_t>(seconds);
  struct tm local {};
  if (localtime_r(&as_time_t, &local) == nullptr) return std::to_string(unix_nanos);
  char date[32];
  size_t written = strftime(date, sizeof(date), "%Y-%m-%d %H:%M:%S", &local);
  if (written == 0) return std::to_string(unix_nanos);
  return fmt::format("{}.{:03}", std::string_view(date, written), remainder / 1'000'000);
}

std::string SanitizeForTerminal(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c < 0x20 || c == 0x7F) {
      out.push_back('?');
      ++i;
      continue;
    }
    size_t length = Utf8SequenceLength(text, i);
    if (length == 0) {
      out.push_back('?');
      ++i;
      continue;
    }
    out.append(text.substr(i, length));
    i += length;
  }
  return out;
}

size_t DisplayWidth(std::string_view text) {
  return static_cast<size_t>(
      std::count_if(text.begin(), text.end(), [](char c) { return !IsContinuationByte(c); }));
}

std::string TruncateToWidth(std::string_view text, size_t width) {
  if (DisplayWidth(text) <= width) return std::string(text);
  if (width == 0) return "";
  // Keep width-1 code points, then the ellipsis.
  size_t kept = 0;
  size_t end = 0;
  while (end < text.size()) {
    if (!IsContinuationByte(text[end])) {
      if (kept == width - 1) break;
      ++kept;
    }
    ++end;
  }
  return std::string(text.substr(0, end)) + "…";
}

TextTable::TextTable(std::vector<Column> columns) : columns_(std::move(columns)) {}

void TextTable::AddRow(std::vector<std::string> cells, bool highlight) {
  cells.resize(columns_.size());
  for (size_t i = 0; i < cells.size(); ++i) {
    std::string clean = SanitizeForTerminal(cells[i]);
    if (columns_[i].max_width > 0) clean = TruncateToWidth(clean, columns_[i].max_width);
    cells[i] = std::move(clean);
  }
  rows_.push_back(Row{std::move(cells), highlight});
}

std::string TextTable::Render(bool color) const {
  std::vector<size_t> widths(columns_.size());
  for (size_t i = 0; i < columns_.size(); ++i) {
    widths[i] = DisplayWidth(columns_[i].header);
    for (const Row& row : rows_) widths[i] = std::max(widths[i], DisplayWidth(row.cells[i]));
  }
  auto render_line = [&](auto cell_at, bool highlight) {
    std::string line;
    for (size_t i = 0; i < columns_.size(); ++i) {
      if (i > 0) line += "  ";
      std::string_view cell = cell_at(i);
      std::string padding(widths[i] - DisplayWidth(cell), ' ');
      if (columns_[i].align == Align::kRight) {
        line += padding;
        line += cell;
      } else {
        line += cell;
        line += padding;
      }
    }
    line.erase(line.find_last_not_of(' ') + 1);
    if (highlight && color) line = fmt::format("{}{}{}", kRed, line, kReset);
    line += '\n';
    return line;
  };
  std::string out =
      render_line([&](size_t i) -> std::string_view { return columns_[i].header; }, false);
  for (const Row& row : rows_) {
    out += render_line([&](size_t i) -> std::string_view { return row.cells[i]; }, row.highlight);
  }
  return out;
}

}  // namespace tokenscope::cli
