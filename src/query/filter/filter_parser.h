// ParseFilter: turns filter text (DESIGN.md §7) into a type-checked Filter.
//
//   expr       := or
//   or         := and ('or' and)*
//   and        := not ('and' not)*
//   not        := 'not' not | primary
//   primary    := '(' expr ')' | comparison
//   comparison := field op literal | field 'in' '(' literal (',' literal)* ')'
//   op         := = != < <= > >= ~
//
// Keywords, field names and status values are case-insensitive; attribute keys and strings
// are not. Fields are the words of NamedFields() plus attr."key" / resource."key" (a quoted
// key with escapes) or attr.key / resource.key (a bare dotted name). Literals are
// double-quoted strings (escapes \" \\ \/ \b \f \n \r \t \uXXXX), numbers (-12, 0.01, 1e-3),
// durations (250ms, 2s, 1.5m, 2h, 7d) and true/false.
//
// The pattern after `~` is the exception to string escapes: what is written between the
// quotes goes to RE2 unchanged except that \" stands for a quote and \uXXXX for a character,
// so `output ~ "\d+ (tokens|words)\b"` means what it says, and "a\\b" matches the text a\b.
//
// Everything is checked here, so that evaluation cannot fail: operators against field types
// (`<` on text is an error, `~` applies only to text fields and attributes), literals against
// fields (duration and ttft take durations or numbers meaning nanoseconds; tokens and cost
// take numbers, cost in USD; status takes unset, ok or error, quoted or bare), and every
// regular expression is compiled with RE2.
//
// Errors are InvalidArgument with a message "position N: what was expected but found",
// where N is the 0-based offset in characters (Unicode code points) of the offending text.
// The same facts are available as a ParseError for a UI to underline them.
//
// Stateless and thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "base/status.h"
#include "query/filter/filter_ast.h"

namespace tokenscope::query::filter {

struct ParseLimits {
  size_t max_length = 4096;  // bytes of filter text
  size_t max_depth = 64;     // nesting of parentheses and `not`
  size_t max_regexes = 16;   // `~` comparisons per filter; each holds a compiled automaton
  int64_t max_regex_memory = 2 << 20;  // RE2 max_mem per regular expression, in bytes
};

struct ParseError {
  size_t position = 0;     // 0-based offset in characters (code points) of the offending text
  size_t length = 0;       // its length in characters; 0 when it is the end of the input
  size_t byte_offset = 0;  // `position` as a byte offset into the UTF-8 text
  std::string message;     // what was expected and what was found, without the position

  // "position 17: expected a value after '=' but found end of input"
  std::string ToString() const;
};

// Parses `text`. Empty or all-blank text yields an empty Filter, which matches everything.
// On failure returns InvalidArgument and, when `error` is not null, fills it in.
StatusOr<Filter> ParseFilter(std::string_view text, ParseError* error = nullptr,
                             const ParseLimits& limits = ParseLimits());

}  // namespace tokenscope::query::filter
