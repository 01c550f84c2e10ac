// Text formatting for the command-line client: human durations and timestamps, terminal-safe
// strings and aligned tables. Pure functions and a plain value type; thread-safe except that
// FormatLocalTimestamp reads the process time zone (TZ).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace tokenscope::cli {

// A duration for humans, three significant-ish digits: 850ns, 12.30µs, 1.50ms, 2.50s, 2m05s,
// 1h02m. Negative durations (clock skew in the source data) keep their sign.
std::string FormatDuration(int64_t duration_ns);

// "2025-11-13 10:23:45.123" in the local time zone.
std::string FormatLocalTimestamp(int64_t unix_nanos);

// Replaces control characters (ESC, newlines, ...) with '?' so telemetry text cannot move the
// cursor or recolour the terminal; invalid UTF-8 bytes are replaced as well.
std::string SanitizeForTerminal(std::string_view text);

// Columns `text` occupies in a terminal, counting one per UTF-8 code point.
size_t DisplayWidth(std::string_view text);

// Cuts `text` to at most `width` columns, ending in "…" when it had to cut.
std::string TruncateToWidth(std::string_view text, size_t width);

// A table with a header row, columns separated by two spaces, each column as wide as its widest
// cell. Cells are sanitized. Build it row by row, then Render(). Not thread-safe.
class TextTable {
 public:
  enum class Align { kLeft, kRight };

  struct Column {
    std::string header;
    Align align = Align::kLeft;
    size_t max_width = 0;  // 0: unlimited; wider cells are truncated with "…"
  };

  explicit TextTable(std::vector<Column> columns);

  // `cells` should have one entry per column; missing cells render empty, extra ones are
  // dropped. A highlighted row is drawn in red when rendering with color.
  void AddRow(std::vector<std::string> cells, bool highlight = false);
  size_t row_count() const { return rows_.size(); }

  // The header and every row, each line ending in '\n', without trailing spaces.
  std::string Render(bool color = false) const;

 private:
  struct Row {
    std::vector<std::string> cells;
    bool highlight = false;
  };
  std::vector<Column> columns_;
  std::vector<Row> rows_;
};

}  // namespace tokenscope::cli
