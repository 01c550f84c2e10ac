// JSON rendering of the query API's objects (spans, trace summaries) per docs/api.md, on
// RapidJSON's streaming Writer. JsonOut is a thin owner of the buffer and writer; one per
// response, not thread-safe.
#pragma once

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <span>
#include <string>
#include <string_view>

#include "model/log_record.h"
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
// and the error class, reason and fingerprint of errored spans. `logs` are the log records
// correlated with the span (by trace and span id), oldest first: written as its `logs`, and
// their events read with the span's own when normalizing (OTel GenAI sends message content as
// log events).
void WriteSpan(JsonOut& out, const model::SpanBatch& batch, const model::Span& span,
               const enrich::PriceTable* prices,
               std::span<const model::LogRecord* const> logs = {});
// A log record as the API shows it. Given its resource and scope, its service, resource and
// scope are written too; without, only the record (inside a span, which has them).
void WriteLogRecord(JsonOut& out, const model::LogRecord& record,
                    const model::Resource* resource = nullptr, const model::Scope* scope = nullptr);
void WriteTraceSummary(JsonOut& out, const model::TraceSummary& summary);

}  // namespace tokenscope::server
