// libFuzzer target for `tokenscope import`'s line parser and span builder
// (src/cli/import_line.h, import_command.h).
//
// Any line must parse or fail with a Status; a line that parses must turn into exactly one span
// whose ids are not zero and which encodes as an OTLP request, and parsing the same bytes again
// must give the same span ids (re-import stores once).

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "cli/import_command.h"
#include "cli/import_line.h"
#include "otlp/proto_encoder.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tokenscope;
  if (size > 64 * 1024) return 0;
  const std::string_view line(reinterpret_cast<const char*>(data), size);
  auto call = cli::ParseImportLine(line);
  if (!call.ok()) return 0;
  model::SpanBatch a, b;
  cli::AppendImportedSpan(*call, line, &a);
  cli::AppendImportedSpan(*call, line, &b);
  if (a.spans.size() != 1 || model::IsZero(a.spans[0].trace_id) ||
      model::IsZero(a.spans[0].span_id) || a.spans[0].span_id != b.spans[0].span_id ||
      a.spans[0].trace_id != b.spans[0].trace_id) {
    __builtin_trap();
  }
  if (otlp::EncodeTraceRequestProto(a).empty()) __builtin_trap();
  return 0;
}
