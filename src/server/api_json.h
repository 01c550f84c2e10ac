// JSON rendering of the query API's objects (spans, trace summaries) per docs/api.md, on
// RapidJSON's streaming Writer. JsonOut is a thin owner of the buffer and writer; one per
// response, not thread-safe.
#pragma once

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <string>
#include <string_view>

#include "model/span.h"
#include "model/trace_summary.h"

namespace tokenscope::enrich {
class PriceTable;
}

namespace tokenscope::server {

class JsonOut {
 public:
  JsonOut() : writer_(buffer_) {}
  rapidjson::Writer<rapidjson::StringBuffer>& w() { return writer_; }

  void Key(std::string_view k) { writer_.Key(k.data(), static_cast<unsigned>(k.size())); }
  void String(std::string_view s) { writer_.String(s.data(), static_cast<unsigned>(s.size())); }
  // Unix nanoseconds as a decimal string (JSON numbers lose precision past 2^53 in JS).
  void Nanos(uint64_t ns);
  std::string Take() const { return std::string(buffer_.GetString(), buffer_.GetSize()); }

 private:
  rapidjson::StringBuffer buffer_;
  rapidjson::Writer<rapidjson::StringBuffer> writer_;
};

void WriteAnyValue(JsonOut& out, const model::AnyValue& value);
void WriteAttributes(JsonOut& out, const model::Attributes& attributes);
// Writes the span with its derived sections: `llm` (normalized and, given `prices`, priced)
// and the error class, reason and fingerprint of errored spans.
void WriteSpan(JsonOut& out, const model::SpanBatch& batch, const model::Span& span,
               const enrich::PriceTable* prices);
void WriteTraceSummary(JsonOut& out, const model::TraceSummary& summary);

}  // namespace tokenscope::server
