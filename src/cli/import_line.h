// One line of an LLM call log, as `tokenscope import` reads it: a JSON object per line (JSON
// Lines) with the fields people commonly log about a call. Accepted fields (docs/import.md):
//
//   timestamp        required: RFC 3339 text ("2026-11-20T10:00:00.123Z", "+02:00" offsets) or
//                    a number of epoch seconds, milliseconds, microseconds or nanoseconds
//                    (told apart by magnitude)
//   model            required
//   provider, operation (default "chat"), service (default "import")
//   input_tokens | prompt_tokens, output_tokens | completion_tokens, total_tokens,
//   cached_tokens | cache_read_tokens, reasoning_tokens
//   latency_ms | duration_ms, ttft_ms
//   status           "ok" | "error" | an HTTP status code (>= 400 is an error)
//   error | error_message
//   prompt, completion (text), prompt_hash, request_id, trace_id (32 hex digits)
//   user | user_id, session | session_id, tags (array of strings), metadata (object)
//
// Unknown fields are ignored. Stateless functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/status.h"

namespace tokenscope::cli {

struct ImportedCall {
  uint64_t time_unix_nano = 0;
  uint64_t duration_ns = 0;
  std::optional<uint64_t> ttft_ns;
  std::string model;
  std::string provider;
  std::string operation = "chat";
  std::string service = "import";
  std::optional<int64_t> input_tokens;
  std::optional<int64_t> output_tokens;
  std::optional<int64_t> total_tokens;
  std::optional<int64_t> cached_tokens;
  std::optional<int64_t> reasoning_tokens;
  bool error = false;
  std::optional<int64_t> http_status;
  std::string error_message;
  std::string prompt;
  std::string completion;
  std::string prompt_hash;
  std::string request_id;
  std::string trace_id_hex;  // empty when the line names none
  std::string user;
  std::string session;
  std::vector<std::string> tags;
  std::vector<std::pair<std::string, std::string>> metadata;  // values as text
};

// Parses one line. InvalidArgument naming the field when a required field is missing or a field
// has the wrong type.
StatusOr<ImportedCall> ParseImportLine(std::string_view line);

// RFC 3339 date-time text to unix nanoseconds; nullopt when malformed.
std::optional<uint64_t> ParseRfc3339(std::string_view text);

}  // namespace tokenscope::cli
