// `tokenscope import FILE.jsonl`: turns a log of LLM calls kept as JSON Lines (import_line.h
// lists the fields) into spans — one OTel GenAI client span per line — and sends them to a
// server over OTLP/HTTP, so that search, costs and analytics work on that history. Span and
// trace ids are derived from each line's bytes, so importing a file twice stores it once.
// Malformed lines are reported with their line numbers and skipped; the rest is imported.
// Output goes to the given streams; the return value is the process exit code. Stateless.
#pragma once

#include <istream>
#include <ostream>
#include <string>

#include "cli/import_line.h"
#include "cli/traces_command.h"
#include "model/span.h"

namespace tokenscope::cli {

struct ImportOptions {
  ClientOptions client;
  size_t batch_spans = 500;  // spans per OTLP request
};

// Reads `in` (named `name` in messages) to the end and imports it.
int RunImport(const ImportOptions& options, std::istream& in, const std::string& name,
              std::ostream& out, std::ostream& err);

// Appends the span of one parsed line; `line` gives the derived ids. Views are copied into
// the batch's arena.
void AppendImportedSpan(const ImportedCall& call, std::string_view line, model::SpanBatch* batch);

}  // namespace tokenscope::cli
