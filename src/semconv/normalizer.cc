#include "semconv/normalizer.h"

#include <array>
#include <exception>
#include <iterator>
#include <utility>

#include "semconv/conventions.h"
#include "semconv/providers.h"
#include "semconv/usage.h"

namespace tokenscope::semconv {
namespace internal {

const Convention* Conventions(size_t* count) {
  // Merge precedence order; see normalizer.h.
  static constexpr Convention kConventions[] = {
      {"langfuse", IsLangfuseMarker, nullptr, ReadLangfuse},
      {"openinference", IsOpenInferenceMarker, nullptr, ReadOpenInference},
      {"vercel_ai", IsVercelAiMarker, nullptr, ReadVercelAi},
      {"openllmetry", IsOpenLlmetryMarker, IsOpenLlmetryMarkerEvent, ReadOpenLlmetry},
      {"otel_genai", IsOtelGenAiMarker, IsOtelGenAiMarkerEvent, ReadOtelGenAi},
  };
  *count = std::size(kConventions);
  return kConventions;
}

}  // namespace internal

namespace {

using internal::Convention;
using internal::Draft;
using model::LlmInfo;
using model::LlmSpanKind;

constexpr size_t kMaxConventions = 5;

// General OTel identity attributes, read for every LLM span whatever its convention.
const internal::AttributeTable& ContextTable() {
  static const internal::AttributeTable table({
      {"session.id", internal::Field::kSessionId},
      {"user.id", internal::Field::kUserId},
      {"enduser.id", internal::Field::kUserId},
  });
  return table;
}

// Marks the conventions whose marker attributes or events are on the span.
std::array<bool, kMaxConventions> Detect(const model::Span& span, const Convention* conventions,
                                         size_t count) {
  std::array<bool, kMaxConventions> found{};
  for (size_t c = 0; c < count; ++c) {
    for (const model::KeyValue& kv : span.attributes) {
      if (conventions[c].is_marker_key(kv.key)) {
        found[c] = true;
        break;
      }
    }
    if (found[c] || conventions[c].is_marker_event == nullptr) continue;
    for (const model::Event& event : span.events) {
      if (conventions[c].is_marker_event(event.name)) {
        found[c] = true;
        break;
      }
    }
  }
  return found;
}

template <typename T>
void Fill(std::optional<T>& from, std::optional<T>* to) {
  if (!to->has_value() && from.has_value()) *to = std::move(from);
}
void Fill(std::string& from, std::string* to) {
  if (to->empty() && !from.empty()) *to = std::move(from);
}
template <typename T>
void Fill(std::vector<T>& from, std::vector<T>* to) {
  if (to->empty() && !from.empty()) *to = std::move(from);
}

// Fills every field of `to` that is still unset from `from` (which is consumed).
void MergeFrom(LlmInfo& from, LlmInfo* to) {
  if (to->kind == LlmSpanKind::kOther) to->kind = from.kind;
  Fill(from.operation, &to->operation);
  Fill(from.provider, &to->provider);
  Fill(from.request_model, &to->request_model);
  Fill(from.response_model, &to->response_model);

  model::LlmParams& p = to->params;
  Fill(from.params.temperature, &p.temperature);
  Fill(from.params.top_p, &p.top_p);
  Fill(from.params.top_k, &p.top_k);
  Fill(from.params.max_tokens, &p.max_tokens);
  Fill(from.params.frequency_penalty, &p.frequency_penalty);
  Fill(from.params.presence_penalty, &p.presence_penalty);
  Fill(from.params.seed, &p.seed);
  Fill(from.params.stream, &p.stream);
  Fill(from.params.stop_sequences, &p.stop_sequences);

  model::TokenUsage& u = to->usage;
  Fill(from.usage.input_tokens, &u.input_tokens);
  Fill(from.usage.output_tokens, &u.output_tokens);
  Fill(from.usage.cache_read_input_tokens, &u.cache_read_input_tokens);
  Fill(from.usage.cache_creation_input_tokens, &u.cache_creation_input_tokens);
  Fill(from.usage.reasoning_tokens, &u.reasoning_tokens);
  Fill(from.usage.total_tokens, &u.total_tokens);

  Fill(from.system_instructions, &to->system_instructions);
  Fill(from.input_messages, &to->input_messages);
  Fill(from.output_messages, &to->output_messages);
  Fill(from.finish_reasons, &to->finish_reasons);
  Fill(from.documents, &to->documents);
  Fill(from.output_documents, &to->output_documents);
  if (from.tool) {
    if (!to->tool) {
      to->tool = std::move(from.tool);
    } else {
      Fill(from.tool->name, &to->tool->name);
      Fill(from.tool->call_id, &to->tool->call_id);
      Fill(from.tool->arguments, &to->tool->arguments);
      Fill(from.tool->result, &to->tool->result);
    }
  }
  Fill(from.logprobs, &to->logprobs);
  Fill(from.timing.time_to_first_token_ns, &to->timing.time_to_first_token_ns);
  Fill(from.timing.token_offsets_ns, &to->timing.token_offsets_ns);
  Fill(from.session_id, &to->session_id);
  Fill(from.user_id, &to->user_id);
  Fill(from.conversation_id, &to->conversation_id);
  Fill(from.prompt_name, &to->prompt_name);
  Fill(from.prompt_version, &to->prompt_version);
  Fill(from.tags, &to->tags);
}

// System and developer messages at the head of the conversation are the system instructions,
// whichever convention carried them (OpenAI-shaped messages keep them inline, OTel >= 1.37
// and Anthropic keep them apart).
void SplitSystemInstructions(LlmInfo* info) {
  size_t leading = 0;
  while (leading < info->input_messages.size() &&
         (info->input_messages[leading].role == "system" ||
          info->input_messages[leading].role == "developer")) {
    ++leading;
  }
  if (leading == 0) return;
  auto begin = info->input_messages.begin();
  info->system_instructions.insert(
      info->system_instructions.end(), std::make_move_iterator(begin),
      std::make_move_iterator(begin + static_cast<ptrdiff_t>(leading)));
  info->input_messages.erase(begin, begin + static_cast<ptrdiff_t>(leading));
}

// finish_reasons and the output messages' finish_reason describe the same choices; fill
// whichever side is missing from the other.
void ReconcileFinishReasons(LlmInfo* info) {
  std::vector<model::Message>& outputs = info->output_messages;
  if (info->finish_reasons.empty()) {
    for (const model::Message& m : outputs) {
      if (!m.finish_reason.empty()) info->finish_reasons.push_back(m.finish_reason);
    }
    return;
  }
  if (outputs.size() == info->finish_reasons.size()) {
    for (size_t i = 0; i < outputs.size(); ++i) {
      if (outputs[i].finish_reason.empty()) outputs[i].finish_reason = info->finish_reasons[i];
    }
  }
}

LlmSpanKind InferKind(const LlmInfo& info) {
  if (LlmSpanKind kind = internal::KindForOperation(info.operation); kind != LlmSpanKind::kOther) {
    return kind;
  }
  if (info.tool && (!info.tool->name.empty() || !info.tool->call_id.empty())) {
    return LlmSpanKind::kTool;
  }
  if (!info.request_model.empty() || !info.response_model.empty() || info.usage.input_tokens ||
      info.usage.output_tokens || !info.output_messages.empty()) {
    return LlmSpanKind::kLlm;
  }
  if (!info.documents.empty()) return LlmSpanKind::kRetrieval;
  return LlmSpanKind::kOther;
}

void Finalize(const NormalizeInput& input, LlmInfo* info) {
  if (info->kind == LlmSpanKind::kOther) info->kind = InferKind(*info);
  SplitSystemInstructions(info);
  ReconcileFinishReasons(info);
  internal::ReadStreamEvents(input.span, info);
  // Counts merged from different conventions must still add up: an input smaller than the
  // cache it contains is read as exclusive here too.
  internal::CanonicalizeUsage(internal::InputTokenMode::kInclusive, info->provider, &info->usage);
  internal::FillTotal(&info->usage);
  if (info->tool && info->tool->name.empty() && info->tool->call_id.empty() &&
      info->tool->arguments.empty() && info->tool->result.empty()) {
    info->tool.reset();
  }
  info->normalizer_version = kNormalizerVersion;
}

std::optional<LlmInfo> NormalizeUnchecked(const NormalizeInput& input) {
  size_t count = 0;
  const Convention* conventions = internal::Conventions(&count);
  const std::array<bool, kMaxConventions> detected = Detect(input.span, conventions, count);
  std::array<Draft, kMaxConventions> drafts;
  std::string_view convention;
  for (size_t c = 0; c < count; ++c) {
    if (!detected[c]) continue;
    drafts[c].detected = true;
    conventions[c].read(input, &drafts[c]);
    if (convention.empty()) convention = conventions[c].name;
  }
  if (convention.empty()) return std::nullopt;

  // The provider decides how raw input counts are read, so settle it before the usage.
  std::string provider;
  for (size_t c = 0; c < count && provider.empty(); ++c) provider = drafts[c].info.provider;
  if (provider.empty()) {
    for (size_t c = 0; c < count && provider.empty(); ++c) {
      provider = ProviderForModel(drafts[c].info.model());
    }
  }
  LlmInfo merged;
  merged.provider = provider;
  for (size_t c = 0; c < count; ++c) {
    if (!drafts[c].detected) continue;
    internal::CanonicalizeUsage(drafts[c].input_mode, provider, &drafts[c].info.usage);
    MergeFrom(drafts[c].info, &merged);
  }
  // Identity attributes that belong to no LLM convention in particular come last.
  Draft context;
  ContextTable().Apply(input.span.attributes, &context);
  MergeFrom(context.info, &merged);
  merged.convention = std::string(convention);
  Finalize(input, &merged);
  return merged;
}

}  // namespace

std::optional<LlmInfo> Normalize(const NormalizeInput& input) {
  // Nothing below is expected to throw (simdjson is used through its error codes); an
  // allocation failure on a hostile span drops that span's LLM section rather than the batch.
  try {
    return NormalizeUnchecked(input);
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

}  // namespace tokenscope::semconv
