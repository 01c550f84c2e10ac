#include "otlp/proto_decoder.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <new>
#include <string>
#include <utility>
#include <vector>

#include "otlp/proto_decoder_internal.h"
#include "otlp/wire.h"

namespace tokenscope::otlp {
namespace {

using proto_internal::CopyId;
using proto_internal::CountLenFields;
using proto_internal::ReserveMore;
using wire::Reader;
using wire::WireType;

model::SpanKind ToSpanKind(uint64_t v) {
  // Values outside the enum (newer protocol versions) read as unspecified.
  return v <= 5 ? static_cast<model::SpanKind>(v) : model::SpanKind::kUnspecified;
}

model::StatusCode ToStatusCode(uint64_t v) {
  return v <= 2 ? static_cast<model::StatusCode>(v) : model::StatusCode::kUnset;
}
// The number of spans in a request, found by walking resource_spans and scope_spans and
// skipping the spans themselves: cheap next to decoding, and it lets the batch's span vector
// grow once rather than by repeated doubling (each a copy of every span so far).
size_t CountSpans(std::string_view request) {
  size_t spans = 0;
  Reader requests(request);
  uint32_t field;
  WireType wt;
  std::string_view body;
  while (!requests.done() && requests.ReadTag(&field, &wt)) {
    if (field != 1 || wt != WireType::kLen) {
      if (!requests.SkipValue(wt)) break;
      continue;
    }
    if (!requests.ReadLengthDelimited(&body)) break;
    Reader resource_spans(body);
    while (!resource_spans.done() && resource_spans.ReadTag(&field, &wt)) {
      if (field == 2 && wt == WireType::kLen) {
        std::string_view scope_spans;
        if (!resource_spans.ReadLengthDelimited(&scope_spans)) break;
        spans += CountLenFields(scope_spans, 2);
      } else if (!resource_spans.SkipValue(wt)) {
        break;
      }
    }
  }
  return spans;
}

// A valid span carries at least its key and length, a 16-byte trace_id and an 8-byte span_id.
constexpr size_t kMinValidSpanBytes = 2 + (2 + 16) + (2 + 8);

// Why a well-formed span breaks OTLP's rules; such spans are rejected, not the request.
struct SpanDefect {
  enum class Kind : uint8_t {
    kNone,
    kTraceIdSize,
    kTraceIdZero,
    kSpanIdSize,
    kSpanIdZero,
    kParentIdSize,
    kLinkTraceIdSize,
    kLinkSpanIdSize,
  };
  Kind kind = Kind::kNone;
  size_t size = 0;        // the offending length, for the *Size kinds
  size_t link_index = 0;  // for the kLink* kinds

  explicit operator bool() const { return kind != Kind::kNone; }

  std::string Describe() const {
    std::string got = ", got " + std::to_string(size);
    std::string link = "links[" + std::to_string(link_index) + "]";
    switch (kind) {
      case Kind::kNone:
        return "";
      case Kind::kTraceIdSize:
        return "trace_id must be 16 bytes" + got;
      case Kind::kTraceIdZero:
        return "trace_id must not be all zero";
      case Kind::kSpanIdSize:
        return "span_id must be 8 bytes" + got;
      case Kind::kSpanIdZero:
        return "span_id must not be all zero";
      case Kind::kParentIdSize:
        return "parent_span_id must be empty or 8 bytes" + got;
      case Kind::kLinkTraceIdSize:
        return link + ".trace_id must be empty or 16 bytes" + got;
      case Kind::kLinkSpanIdSize:
        return link + ".span_id must be empty or 8 bytes" + got;
    }
    return "invalid span";
  }
};

// Spans accepted and rejected by one request, committed to the DecodeResult on success.
struct Tally {
  uint64_t accepted = 0;
  uint64_t rejected = 0;
  std::string first_rejection;
};

// Decodes trace requests and the span messages; the shared messages and field readers come
// from FieldDecoder.
class ProtoDecoder : public proto_internal::FieldDecoder {
 public:
  explicit ProtoDecoder(const DecodeLimits& limits) : FieldDecoder(limits) {}

  bool DecodeRequest(std::string_view bytes, model::SpanBatch* batch, Tally* tally) {
    // Bounded by the spans the body could hold if all were valid, so a flood of empty span
    // messages cannot make the reservation larger than real spans would need.
    ReserveMore(&batch->spans, std::min(CountSpans(bytes), bytes.size() / kMinValidSpanBytes));
    Reader r(bytes);
    int64_t resource_spans_index = 0;
    while (!r.done()) {
      uint32_t field;
      WireType wt;
      if (!r.ReadTag(&field, &wt)) return trail_.Fail(WireErrorText(r.error()));
      if (field == 1) {
        std::string_view body;
        if (!Message(r, wt, "resource_spans", resource_spans_index, &body)) return false;
        if (!DecodeResourceSpans(body, resource_spans_index, batch, tally)) {
          return trail_.Within("resource_spans", resource_spans_index);
        }
        ++resource_spans_index;
      } else if (!SkipUnknown(r, wt, field)) {
        return false;
      }
    }
    return true;
  }

  bool DecodeSpan(std::string_view bytes, model::Span* span, SpanDefect* defect) {
    std::string_view trace_id, span_id, parent_span_id;
    // Sized once: growing by doubling moved every attribute several times per span, a sixth of
    // the decoding time. Bounded by the span's bytes, as the attributes themselves are.
    span->attributes.reserve(CountLenFields(bytes, 9));
    Reader r(bytes);
    while (!r.done()) {
      uint32_t field;
      WireType wt;
      if (!r.ReadTag(&field, &wt)) return trail_.Fail(WireErrorText(r.error()));
      bool ok = true;
      switch (field) {
        case 1:
          ok = BytesField(r, wt, "trace_id", &trace_id);
          break;
        case 2:
          ok = BytesField(r, wt, "span_id", &span_id);
          break;
        case 3:
          ok = StringField(r, wt, "trace_state", &span->trace_state);
          break;
        case 4:
          ok = BytesField(r, wt, "parent_span_id", &parent_span_id);
          break;
        case 5:
          ok = StringField(r, wt, "name", &span->name);
          break;
        case 6: {
          uint64_t kind;
          ok = VarintField(r, wt, "kind", &kind);
          span->kind = ToSpanKind(kind);
          break;
        }
        case 7:
          ok = Fixed64Field(r, wt, "start_time_unix_nano", &span->start_time_unix_nano);
          break;
        case 8:
          ok = Fixed64Field(r, wt, "end_time_unix_nano", &span->end_time_unix_nano);
          break;
        case 9:
          ok = AttributeField(r, wt, &span->attributes);
          break;
        case 10:
          ok = Uint32Field(r, wt, "dropped_attributes_count", &span->dropped_attributes_count);
          break;
        case 11:
          ok = EventField(r, wt, &span->events);
          break;
        case 12:
          ok = Uint32Field(r, wt, "dropped_events_count", &span->dropped_events_count);
          break;
        case 13:
          ok = LinkField(r, wt, &span->links, defect);
          break;
        case 14:
          ok = Uint32Field(r, wt, "dropped_links_count", &span->dropped_links_count);
          break;
        case 15: {
          std::string_view body;
          if (!Message(r, wt, "status", -1, &body)) return false;
          if (!DecodeStatus(body, &span->status)) return trail_.Within("status");
          break;
        }
        case 16:
          ok = Fixed32Field(r, wt, "flags", &span->flags);
          break;
        default:
          ok = SkipUnknown(r, wt, field);
          break;
      }
      if (!ok) return false;
    }
    CheckSpanIds(trace_id, span_id, parent_span_id, span, defect);
    return true;
  }

 private:
  bool DecodeResourceSpans(std::string_view bytes, int64_t resource_spans_index,
                           model::SpanBatch* batch, Tally* tally) {
    const auto resource_index = static_cast<uint32_t>(batch->resources.size());
    batch->resources.emplace_back();
    Reader r(bytes);
    int64_t scope_spans_index = 0;
    while (!r.done()) {
      uint32_t field;
      WireType wt;
      if (!r.ReadTag(&field, &wt)) return trail_.Fail(WireErrorText(r.error()));
      bool ok = true;
      std::string_view body;
      switch (field) {
        case 1:
          if (!Message(r, wt, "resource", -1, &body)) return false;
          if (!DecodeResource(body, &batch->resources[resource_index])) {
            return trail_.Within("resource");
          }
          break;
        case 2:
          if (!Message(r, wt, "scope_spans", scope_spans_index, &body)) return false;
          if (!DecodeScopeSpans(body, resource_index, resource_spans_index, scope_spans_index,
                                batch, tally)) {
            return trail_.Within("scope_spans", scope_spans_index);
          }
          ++scope_spans_index;
          break;
        case 3:
          ok = StringField(r, wt, "schema_url", &batch->resources[resource_index].schema_url);
          break;
        default:
          ok = SkipUnknown(r, wt, field);
          break;
      }
      if (!ok) return false;
    }
    return true;
  }

  bool DecodeScopeSpans(std::string_view bytes, uint32_t resource_index,
                        int64_t resource_spans_index, int64_t scope_spans_index,
                        model::SpanBatch* batch, Tally* tally) {
    const auto scope_index = static_cast<uint32_t>(batch->scopes.size());
    batch->scopes.emplace_back();
    Reader r(bytes);
    int64_t span_index = 0;
    while (!r.done()) {
      uint32_t field;
      WireType wt;
      if (!r.ReadTag(&field, &wt)) return trail_.Fail(WireErrorText(r.error()));
      bool ok = true;
      std::string_view body;
      switch (field) {
        case 1:
          if (!Message(r, wt, "scope", -1, &body)) return false;
          if (!DecodeScope(body, &batch->scopes[scope_index])) return trail_.Within("scope");
          break;
        case 2: {
          if (!Message(r, wt, "spans", span_index, &body)) return false;
          model::Span& span = batch->spans.emplace_back();
          SpanDefect defect;
          if (!DecodeSpan(body, &span, &defect)) return trail_.Within("spans", span_index);
          if (defect) {
            batch->spans.pop_back();
            ++tally->rejected;
            if (tally->first_rejection.empty()) {
              tally->first_rejection = "resource_spans[" + std::to_string(resource_spans_index) +
                                       "].scope_spans[" + std::to_string(scope_spans_index) +
                                       "].spans[" + std::to_string(span_index) +
                                       "]: " + defect.Describe();
            }
          } else {
            span.resource_index = resource_index;
            span.scope_index = scope_index;
            ++tally->accepted;
          }
          ++span_index;
          break;
        }
        case 3:
          ok = StringField(r, wt, "schema_url", &batch->scopes[scope_index].schema_url);
          break;
        default:
          ok = SkipUnknown(r, wt, field);
          break;
      }
      if (!ok) return false;
    }
    return true;
  }

  bool DecodeEvent(std::string_view bytes, model::Event* event) {
    Reader r(bytes);
    while (!r.done()) {
      uint32_t field;
      WireType wt;
      if (!r.ReadTag(&field, &wt)) return trail_.Fail(WireErrorText(r.error()));
      bool ok = true;
      switch (field) {
        case 1:
          ok = Fixed64Field(r, wt, "time_unix_nano", &event->time_unix_nano);
          break;
        case 2:
          ok = StringField(r, wt, "name", &event->name);
          break;
        case 3:
          ok = AttributeField(r, wt, &event->attributes);
          break;
        case 4:
          ok = Uint32Field(r, wt, "dropped_attributes_count", &event->dropped_attributes_count);
          break;
        default:
          ok = SkipUnknown(r, wt, field);
          break;
      }
      if (!ok) return false;
    }
    return true;
  }

  // Link ids may be empty (read as zero) or exactly their size; any other size leaves the
  // link's id zero and reports the defect through `*defect`.
  bool DecodeLink(std::string_view bytes, model::Link* link, SpanDefect* defect) {
    std::string_view trace_id, span_id;
    Reader r(bytes);
    while (!r.done()) {
      uint32_t field;
      WireType wt;
      if (!r.ReadTag(&field, &wt)) return trail_.Fail(WireErrorText(r.error()));
      bool ok = true;
      switch (field) {
        case 1:
          ok = BytesField(r, wt, "trace_id", &trace_id);
          break;
        case 2:
          ok = BytesField(r, wt, "span_id", &span_id);
          break;
        case 3:
          ok = StringField(r, wt, "trace_state", &link->trace_state);
          break;
        case 4:
          ok = AttributeField(r, wt, &link->attributes);
          break;
        case 5:
          ok = Uint32Field(r, wt, "dropped_attributes_count", &link->dropped_attributes_count);
          break;
        case 6:
          ok = Fixed32Field(r, wt, "flags", &link->flags);
          break;
        default:
          ok = SkipUnknown(r, wt, field);
          break;
      }
      if (!ok) return false;
    }
    if (!trace_id.empty() && !CopyId(trace_id, &link->trace_id)) {
      defect->kind = SpanDefect::Kind::kLinkTraceIdSize;
      defect->size = trace_id.size();
    } else if (!span_id.empty() && !CopyId(span_id, &link->span_id)) {
      defect->kind = SpanDefect::Kind::kLinkSpanIdSize;
      defect->size = span_id.size();
    }
    return true;
  }

  bool DecodeStatus(std::string_view bytes, model::SpanStatus* status) {
    Reader r(bytes);
    while (!r.done()) {
      uint32_t field;
      WireType wt;
      if (!r.ReadTag(&field, &wt)) return trail_.Fail(WireErrorText(r.error()));
      bool ok = true;
      switch (field) {
        case 2:
          ok = StringField(r, wt, "message", &status->message);
          break;
        case 3: {
          uint64_t code;
          ok = VarintField(r, wt, "code", &code);
          status->code = ToStatusCode(code);
          break;
        }
        default:
          ok = SkipUnknown(r, wt, field);
          break;
      }
      if (!ok) return false;
    }
    return true;
  }

  bool EventField(Reader& r, WireType wt, std::vector<model::Event>* events) {
    const auto index = static_cast<int64_t>(events->size());
    std::string_view body;
    if (!Message(r, wt, "events", index, &body)) return false;
    if (!DecodeEvent(body, &events->emplace_back())) return trail_.Within("events", index);
    return true;
  }

  bool LinkField(Reader& r, WireType wt, std::vector<model::Link>* links, SpanDefect* defect) {
    const auto index = static_cast<int64_t>(links->size());
    std::string_view body;
    if (!Message(r, wt, "links", index, &body)) return false;
    SpanDefect link_defect;
    if (!DecodeLink(body, &links->emplace_back(), &link_defect))
      return trail_.Within("links", index);
    if (link_defect && !*defect) {
      *defect = link_defect;
      defect->link_index = static_cast<size_t>(index);
    }
    return true;
  }

  static void CheckSpanIds(std::string_view trace_id, std::string_view span_id,
                           std::string_view parent_span_id, model::Span* span, SpanDefect* defect) {
    using Kind = SpanDefect::Kind;
    SpanDefect found;
    if (!CopyId(trace_id, &span->trace_id)) {
      found = {Kind::kTraceIdSize, trace_id.size(), 0};
    } else if (model::IsZero(span->trace_id)) {
      found = {Kind::kTraceIdZero, 0, 0};
    } else if (!CopyId(span_id, &span->span_id)) {
      found = {Kind::kSpanIdSize, span_id.size(), 0};
    } else if (model::IsZero(span->span_id)) {
      found = {Kind::kSpanIdZero, 0, 0};
    } else if (!parent_span_id.empty() && !CopyId(parent_span_id, &span->parent_span_id)) {
      found = {Kind::kParentIdSize, parent_span_id.size(), 0};
    }
    // The span's own ids are reported before any link's.
    if (found) *defect = found;
  }
};

// The single-message decoders fill a fresh value and move it out only on success, so the
// output is untouched when the input is rejected.
template <typename T, typename DecodeFn>
Status DecodeSingle(std::string_view bytes, T* out, const DecodeLimits& limits, DecodeFn decode) {
  try {
    ProtoDecoder decoder(limits);
    T decoded;
    SpanDefect defect;
    if (!decode(decoder, bytes, &decoded, &defect)) return InvalidArgument(decoder.ErrorMessage());
    if (defect) return InvalidArgument(defect.Describe());
    *out = std::move(decoded);
    return Status::Ok();
  } catch (const std::bad_alloc&) {
    return ResourceExhausted("out of memory decoding an OTLP protobuf message");
  }
}

}  // namespace

Status DecodeTraceRequestProto(std::string_view body, model::SpanBatch* batch, DecodeResult* result,
                               const DecodeLimits& limits) {
  const size_t resources_before = batch->resources.size();
  const size_t scopes_before = batch->scopes.size();
  const size_t spans_before = batch->spans.size();
  // Roll back on failure: a malformed request contributes nothing.
  auto roll_back = [&] {
    batch->resources.resize(resources_before);
    batch->scopes.resize(scopes_before);
    batch->spans.resize(spans_before);
  };
  ProtoDecoder decoder(limits);
  Tally tally;
  try {
    if (!decoder.DecodeRequest(body, batch, &tally)) {
      roll_back();
      return InvalidArgument(decoder.ErrorMessage());
    }
  } catch (const std::bad_alloc&) {
    roll_back();
    return ResourceExhausted("out of memory decoding an OTLP protobuf request");
  }
  if (result != nullptr) {
    result->accepted_spans += tally.accepted;
    result->rejected_spans += tally.rejected;
    if (result->rejection_message.empty()) {
      result->rejection_message = std::move(tally.first_rejection);
    }
  }
  return Status::Ok();
}

Status DecodeSpanProto(std::string_view bytes, model::Span* span, const DecodeLimits& limits) {
  return DecodeSingle(bytes, span, limits,
                      [](ProtoDecoder& d, std::string_view b, model::Span* s, SpanDefect* defect) {
                        return d.DecodeSpan(b, s, defect);
                      });
}

Status DecodeResourceProto(std::string_view bytes, model::Resource* resource,
                           const DecodeLimits& limits) {
  return DecodeSingle(bytes, resource, limits,
                      [](ProtoDecoder& d, std::string_view b, model::Resource* r, SpanDefect*) {
                        return d.DecodeResource(b, r);
                      });
}

Status DecodeScopeProto(std::string_view bytes, model::Scope* scope, const DecodeLimits& limits) {
  return DecodeSingle(bytes, scope, limits,
                      [](ProtoDecoder& d, std::string_view b, model::Scope* s, SpanDefect*) {
                        return d.DecodeScope(b, s);
                      });
}

}  // namespace tokenscope::otlp
