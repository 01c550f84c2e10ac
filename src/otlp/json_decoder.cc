// OTLP/JSON decoding on simdjson's DOM API.
//
// The whole document is parsed first (simdjson validates JSON syntax and UTF-8), then the
// tree is walked into staging vectors owned by a JsonTraceDecoder. Only when the walk
// succeeds are the staged resources, scopes and spans moved into the caller's batch, so a
// failed request leaves the batch untouched (strings copied into its arena aside).
//
// Only simdjson's error-code API is used, so no simdjson exception can escape.

#include "otlp/json_decoder.h"

#include <simdjson.h>

#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "base/base64.h"
#include "base/hex.h"
#include "otlp/json_decoder_internal.h"

namespace tokenscope::otlp {
namespace {

using json_internal::DecodeId;
using json_internal::element;
using json_internal::IdState;
using json_internal::ReleaseIfLarge;
using json_internal::ThreadParser;

std::optional<model::SpanKind> SpanKindFromName(std::string_view name) {
  static constexpr std::pair<std::string_view, model::SpanKind> kNames[] = {
      {"SPAN_KIND_UNSPECIFIED", model::SpanKind::kUnspecified},
      {"SPAN_KIND_INTERNAL", model::SpanKind::kInternal},
      {"SPAN_KIND_SERVER", model::SpanKind::kServer},
      {"SPAN_KIND_CLIENT", model::SpanKind::kClient},
      {"SPAN_KIND_PRODUCER", model::SpanKind::kProducer},
      {"SPAN_KIND_CONSUMER", model::SpanKind::kConsumer},
  };
  for (const auto& [text, kind] : kNames) {
    if (text == name) return kind;
  }
  return std::nullopt;
}

std::optional<model::StatusCode> StatusCodeFromName(std::string_view name) {
  static constexpr std::pair<std::string_view, model::StatusCode> kNames[] = {
      {"STATUS_CODE_UNSET", model::StatusCode::kUnset},
      {"STATUS_CODE_OK", model::StatusCode::kOk},
      {"STATUS_CODE_ERROR", model::StatusCode::kError},
  };
  for (const auto& [text, code] : kNames) {
    if (text == name) return code;
  }
  return std::nullopt;
}

// Walks one parsed ExportTraceServiceRequest. Resources, scopes and spans are staged here and
// handed to the batch by CommitTo(); strings are copied into the batch's arena as they are
// read. One instance per request; not thread-safe.
class JsonTraceDecoder : public json_internal::JsonFieldDecoder {
 public:
  JsonTraceDecoder(model::SpanBatch* batch, const DecodeLimits& limits)
      : JsonFieldDecoder(&batch->arena(), limits),
        resource_base_(batch->resources.size()),
        scope_base_(batch->scopes.size()) {}

  Status DecodeRequest(element root) {
    if (!root.is_object()) return InvalidArgument("request body: expected a JSON object");
    return ForEachMember(root, [&](std::string_view key, element value) {
      if (key != "resourceSpans") return Status::Ok();
      return ForEachElement(value, [&](element rs) { return DecodeResourceSpans(rs); });
    });
  }

  void CommitTo(model::SpanBatch* batch, DecodeResult* result) {
    MoveAppend(&resources_, &batch->resources);
    MoveAppend(&scopes_, &batch->scopes);
    if (result != nullptr) {
      result->accepted_spans += spans_.size();
      result->rejected_spans += rejected_spans_;
      if (result->rejection_message.empty()) result->rejection_message = first_rejection_;
    }
    MoveAppend(&spans_, &batch->spans);
  }

 private:
  Status DecodeResourceSpans(element value) {
    const size_t local_resource = resources_.size();
    const auto resource_index = static_cast<uint32_t>(resource_base_ + local_resource);
    resources_.emplace_back();
    return ForEachMember(value, [&](std::string_view key, element member) {
      if (key == "resource") return DecodeResource(member, &resources_[local_resource]);
      if (key == "schemaUrl") return ReadString(member, &resources_[local_resource].schema_url);
      if (key == "scopeSpans") {
        return ForEachElement(member,
                              [&](element ss) { return DecodeScopeSpans(ss, resource_index); });
      }
      return Status::Ok();
    });
  }

  Status DecodeScopeSpans(element value, uint32_t resource_index) {
    const size_t local_scope = scopes_.size();
    const auto scope_index = static_cast<uint32_t>(scope_base_ + local_scope);
    scopes_.emplace_back();
    return ForEachMember(value, [&](std::string_view key, element member) {
      if (key == "scope") return DecodeScope(member, &scopes_[local_scope]);
      if (key == "schemaUrl") return ReadString(member, &scopes_[local_scope].schema_url);
      if (key == "spans") {
        return ForEachElement(member, [&](element span) {
          return DecodeAndStageSpan(span, resource_index, scope_index);
        });
      }
      return Status::Ok();
    });
  }

  // ---- Spans -------------------------------------------------------------------------------

  // What a span's ids looked like, checked once the whole span has been read.
  struct SpanIdStates {
    IdState trace_id = IdState::kAbsent;
    IdState span_id = IdState::kAbsent;
    IdState parent_span_id = IdState::kAbsent;
    std::string link_problem;  // the first malformed link id, if any
  };

  Status DecodeAndStageSpan(element value, uint32_t resource_index, uint32_t scope_index) {
    model::Span span;
    span.resource_index = resource_index;
    span.scope_index = scope_index;
    SpanIdStates ids;
    TS_RETURN_IF_ERROR(DecodeSpan(value, &span, &ids));
    std::string problem = ValidateSpanIds(span, ids);
    if (!problem.empty()) {
      ++rejected_spans_;
      if (first_rejection_.empty()) {
        first_rejection_ = RenderPath() + ": " + problem;
      }
      return Status::Ok();
    }
    spans_.push_back(std::move(span));
    return Status::Ok();
  }

  // The same rules the protobuf decoder applies: trace_id 16 bytes and not all zero, span_id
  // 8 bytes and not all zero, parent_span_id empty or 8 bytes. Returns "" when valid.
  static std::string ValidateSpanIds(const model::Span& span, const SpanIdStates& ids) {
    if (ids.trace_id != IdState::kValid) return "trace_id must be 16 bytes (32 hex digits)";
    if (model::IsZero(span.trace_id)) return "trace_id must not be all zero";
    if (ids.span_id != IdState::kValid) return "span_id must be 8 bytes (16 hex digits)";
    if (model::IsZero(span.span_id)) return "span_id must not be all zero";
    if (ids.parent_span_id == IdState::kMalformed) {
      return "parent_span_id must be empty or 8 bytes (16 hex digits)";
    }
    return ids.link_problem;
  }

  Status DecodeSpan(element value, model::Span* span, SpanIdStates* ids) {
    return ForEachMember(value, [&](std::string_view key, element member) -> Status {
      // Most frequent keys first.
      if (key == "traceId") return ReadId(member, &span->trace_id, &ids->trace_id);
      if (key == "spanId") return ReadId(member, &span->span_id, &ids->span_id);
      if (key == "parentSpanId") {
        return ReadId(member, &span->parent_span_id, &ids->parent_span_id);
      }
      if (key == "name") return ReadString(member, &span->name);
      if (key == "kind") return ReadSpanKind(member, &span->kind);
      if (key == "startTimeUnixNano") return ReadUint64(member, &span->start_time_unix_nano);
      if (key == "endTimeUnixNano") return ReadUint64(member, &span->end_time_unix_nano);
      if (key == "attributes") return DecodeAttributes(member, &span->attributes);
      if (key == "status") return DecodeStatus(member, &span->status);
      if (key == "traceState") return ReadString(member, &span->trace_state);
      if (key == "flags") return ReadUint32(member, &span->flags);
      if (key == "events") {
        return ForEachElement(member, [&](element event) {
          return DecodeEvent(event, &span->events.emplace_back());
        });
      }
      if (key == "links") {
        return ForEachElement(member, [&](element link) {
          return DecodeLink(link, &span->links.emplace_back(), &ids->link_problem);
        });
      }
      if (key == "droppedAttributesCount") {
        return ReadUint32(member, &span->dropped_attributes_count);
      }
      if (key == "droppedEventsCount") return ReadUint32(member, &span->dropped_events_count);
      if (key == "droppedLinksCount") return ReadUint32(member, &span->dropped_links_count);
      return Status::Ok();
    });
  }

  Status DecodeEvent(element value, model::Event* event) {
    return ForEachMember(value, [&](std::string_view key, element member) {
      if (key == "timeUnixNano") return ReadUint64(member, &event->time_unix_nano);
      if (key == "name") return ReadString(member, &event->name);
      if (key == "attributes") return DecodeAttributes(member, &event->attributes);
      if (key == "droppedAttributesCount") {
        return ReadUint32(member, &event->dropped_attributes_count);
      }
      return Status::Ok();
    });
  }

  // A link's ids may be empty; otherwise they must be well-formed, or the span is rejected
  // (recorded in `link_problem`) since the model cannot hold an id of another length.
  Status DecodeLink(element value, model::Link* link, std::string* link_problem) {
    const size_t link_number = path_.back().index;
    IdState trace_id = IdState::kAbsent;
    IdState span_id = IdState::kAbsent;
    TS_RETURN_IF_ERROR(ForEachMember(value, [&](std::string_view key, element member) {
      if (key == "traceId") return ReadId(member, &link->trace_id, &trace_id);
      if (key == "spanId") return ReadId(member, &link->span_id, &span_id);
      if (key == "traceState") return ReadString(member, &link->trace_state);
      if (key == "attributes") return DecodeAttributes(member, &link->attributes);
      if (key == "droppedAttributesCount") {
        return ReadUint32(member, &link->dropped_attributes_count);
      }
      if (key == "flags") return ReadUint32(member, &link->flags);
      return Status::Ok();
    }));
    if (link_problem->empty()) {
      const std::string prefix = "links[" + std::to_string(link_number) + "]";
      if (trace_id == IdState::kMalformed) {
        *link_problem = prefix + ".trace_id must be empty or 16 bytes (32 hex digits)";
      } else if (span_id == IdState::kMalformed) {
        *link_problem = prefix + ".span_id must be empty or 8 bytes (16 hex digits)";
      }
    }
    return Status::Ok();
  }

  Status DecodeStatus(element value, model::SpanStatus* status) {
    return ForEachMember(value, [&](std::string_view key, element member) {
      if (key == "code") return ReadStatusCode(member, &status->code);
      if (key == "message") return ReadString(member, &status->message);
      return Status::Ok();
    });
  }

  // Enums are integers in OTLP/JSON; the proto enum names are accepted too since some
  // exporters send them. Values this build does not know read as the default, as an unknown
  // field would.
  Status ReadSpanKind(element value, model::SpanKind* kind) {
    std::string_view name;
    if (value.get_string().get(name) == simdjson::SUCCESS && !IsDecimal(name)) {
      *kind = SpanKindFromName(name).value_or(model::SpanKind::kUnspecified);
      return Status::Ok();
    }
    int64_t number = 0;
    TS_RETURN_IF_ERROR(ReadInteger(value, &number));
    bool known = number >= 0 && number <= static_cast<int64_t>(model::SpanKind::kConsumer);
    *kind = known ? static_cast<model::SpanKind>(number) : model::SpanKind::kUnspecified;
    return Status::Ok();
  }

  Status ReadStatusCode(element value, model::StatusCode* code) {
    std::string_view name;
    if (value.get_string().get(name) == simdjson::SUCCESS && !IsDecimal(name)) {
      *code = StatusCodeFromName(name).value_or(model::StatusCode::kUnset);
      return Status::Ok();
    }
    int64_t number = 0;
    TS_RETURN_IF_ERROR(ReadInteger(value, &number));
    bool known = number >= 0 && number <= static_cast<int64_t>(model::StatusCode::kError);
    *code = known ? static_cast<model::StatusCode>(number) : model::StatusCode::kUnset;
    return Status::Ok();
  }

  const size_t resource_base_;
  const size_t scope_base_;

  std::vector<model::Resource> resources_;
  std::vector<model::Scope> scopes_;
  std::vector<model::Span> spans_;
  uint64_t rejected_spans_ = 0;
  std::string first_rejection_;
};

}  // namespace

Status DecodeTraceRequestJson(std::string_view body, model::SpanBatch* batch, DecodeResult* result,
                              const DecodeLimits& limits) {
  // simdjson reads up to SIMDJSON_PADDING bytes past the end of the input; the view carries no
  // such guarantee, so the body is copied into a padded buffer.
  simdjson::padded_string padded(body);
  simdjson::dom::parser& parser = ThreadParser();
  element root;
  if (auto error = parser.parse(padded).get(root); error != simdjson::SUCCESS) {
    ReleaseIfLarge(parser);
    return InvalidArgument(std::string("invalid JSON: ") + simdjson::error_message(error));
  }
  JsonTraceDecoder decoder(batch, limits);
  Status status = decoder.DecodeRequest(root);
  if (status.ok()) decoder.CommitTo(batch, result);
  ReleaseIfLarge(parser);
  return status;
}

}  // namespace tokenscope::otlp
