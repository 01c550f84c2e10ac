#include "bench/workload.h"

#include <array>
#include <cstring>

namespace tokenscope::bench {
namespace {

constexpr std::array<const char*, 40> kWords = {
    "the",     "model",    "returns", "a",        "summary", "of",        "retrieved", "context",
    "tokens",  "latency",  "vector",  "search",   "query",   "answer",    "user",      "policy",
    "refund",  "order",    "within",  "days",     "support", "invoice",   "account",   "shipping",
    "product", "warranty", "please",  "provide",  "details", "according", "document",  "section",
    "price",   "customer", "request", "response", "agent",   "tool",      "result",    "step"};

struct ModelChoice {
  const char* provider;
  const char* model;
};
constexpr std::array<ModelChoice, 6> kModels = {{{"openai", "gpt-4o"},
                                                 {"openai", "gpt-4o-mini"},
                                                 {"anthropic", "claude-sonnet-4-5"},
                                                 {"anthropic", "claude-haiku-4-5"},
                                                 {"gcp.gemini", "gemini-2.5-flash"},
                                                 {"mistral", "mistral-large-latest"}}};

constexpr std::array<const char*, 4> kServices = {"rag-api", "agent-worker", "chat-frontend",
                                                  "search-api"};

std::string MakeText(std::mt19937_64& rng, size_t len) {
  std::string out;
  out.reserve(len + 16);
  while (out.size() < len) {
    out += kWords[rng() % kWords.size()];
    out += (rng() % 12 == 0) ? ". " : " ";
  }
  out.resize(len);
  return out;
}

}  // namespace

WorkloadGenerator::WorkloadGenerator(WorkloadOptions options)
    : options_(options), rng_(options.seed) {
  for (int i = 0; i < options_.distinct_system_prompts; ++i) {
    system_prompts_.push_back("You are a helpful assistant for team " + std::to_string(i) + ". " +
                              MakeText(rng_, 1500 + rng_() % 2500));
  }
  for (int i = 0; i < options_.distinct_documents; ++i) {
    documents_.push_back(MakeText(rng_, 300 + rng_() % 900));
  }
}

std::string_view WorkloadGenerator::Text(model::SpanBatch* batch, size_t min_len, size_t max_len) {
  size_t len = min_len + rng_() % (max_len - min_len + 1);
  return batch->arena().Copy(MakeText(rng_, len));
}

void WorkloadGenerator::FillBatch(model::SpanBatch* batch, size_t min_spans) {
  if (batch->scopes.empty()) {
    model::Scope scope;
    scope.name = "tokenscope.bench";
    scope.version = "1.0.0";
    batch->scopes.push_back(scope);
  }
  while (batch->spans.size() < min_spans) AddTrace(batch);
}

void WorkloadGenerator::AddTrace(model::SpanBatch* batch) {
  Arena& arena = batch->arena();
  uint64_t n = traces_++;
  // One resource per trace, as each service process exports its own.
  model::Resource resource;
  const char* service = kServices[rng_() % kServices.size()];
  resource.attributes.push_back({"service.name", model::AnyValue::String(service)});
  resource.attributes.push_back(
      {"deployment.environment", model::AnyValue::String(rng_() % 5 ? "prod" : "staging")});
  resource.attributes.push_back({"telemetry.sdk.language", model::AnyValue::String("python")});
  resource.attributes.push_back({"telemetry.sdk.version", model::AnyValue::String("1.38.0")});
  batch->resources.push_back(std::move(resource));
  uint32_t resource_index = static_cast<uint32_t>(batch->resources.size() - 1);

  model::TraceId trace_id;
  for (size_t i = 0; i < 16; i += 8) {
    uint64_t r = rng_();
    std::memcpy(trace_id.data() + i, &r, 8);
  }
  trace_id[0] |= 1;  // never all zero
  uint64_t start = options_.start_unix_nano + n * options_.trace_spacing_ns;
  int span_count = 5 + static_cast<int>(rng_() % 46);
  bool agent = rng_() % 3 == 0;
  bool failed = std::uniform_real_distribution<double>(0, 1)(rng_) < options_.error_rate;

  model::SpanId root_id{};
  uint64_t cursor = start;
  for (int i = 0; i < span_count; ++i) {
    model::Span s;
    s.trace_id = trace_id;
    uint64_t sid = rng_() | 1;
    std::memcpy(s.span_id.data(), &sid, 8);
    if (i == 0) {
      root_id = s.span_id;
    } else {
      s.parent_span_id = root_id;
    }
    s.resource_index = resource_index;
    s.scope_index = 0;
    s.start_time_unix_nano = cursor;
    uint64_t dur = 2'000'000 + rng_() % 900'000'000;
    s.end_time_unix_nano = cursor + dur;
    cursor += dur / 4;
    s.flags = 0x101;
    auto str = [&](std::string_view k, std::string_view v) {
      s.attributes.push_back({k, model::AnyValue::String(arena.Copy(v))});
    };
    auto num = [&](std::string_view k, int64_t v) {
      s.attributes.push_back({k, model::AnyValue::Int(v)});
    };
    int role = i == 0 ? 0 : 1 + static_cast<int>(rng_() % 4);
    if (role == 0) {
      s.name = agent ? "invoke_agent support-agent" : "POST /v1/answer";
      s.kind = model::SpanKind::kServer;
      str("http.request.method", "POST");
      str("url.path", "/v1/answer");
      num("http.response.status_code", failed ? 500 : 200);
      str("session.id", "sess-" + std::to_string(n % 997));
      str("user.id", "user-" + std::to_string(n % 211));
      str("team", n % 2 ? "search" : "support");
    } else if (role == 1) {
      s.name = "vector_db.query";
      s.kind = model::SpanKind::kClient;
      str("openinference.span.kind", "RETRIEVER");
      str("db.system", "qdrant");
      for (int d = 0; d < 3; ++d) {
        const std::string& doc = documents_[rng_() % documents_.size()];
        std::string prefix = "retrieval.documents." + std::to_string(d) + ".document.";
        str(arena.Copy(prefix + "content"), doc);
        s.attributes.push_back({arena.Copy(prefix + "score"),
                                model::AnyValue::Double(0.5 + double(rng_() % 500) / 1000)});
      }
    } else if (role == 2) {
      s.name = "execute_tool";
      s.kind = model::SpanKind::kInternal;
      str("gen_ai.operation.name", "execute_tool");
      str("gen_ai.tool.name", rng_() % 2 ? "search_orders" : "run_python");
      str("gen_ai.tool.call.arguments",
          R"({"order_id": ")" + std::to_string(rng_() % 100000) + "\"}");
    } else {
      const ModelChoice& m = kModels[rng_() % kModels.size()];
      s.name = arena.Copy(std::string("chat ") + m.model);
      s.kind = model::SpanKind::kClient;
      str("gen_ai.operation.name", "chat");
      str("gen_ai.provider.name", m.provider);
      str("gen_ai.request.model", m.model);
      str("gen_ai.response.model", m.model);
      s.attributes.push_back({"gen_ai.request.temperature", model::AnyValue::Double(0.2)});
      num("gen_ai.request.max_tokens", 1024);
      int64_t in = 500 + static_cast<int64_t>(rng_() % 6000);
      num("gen_ai.usage.input_tokens", in);
      num("gen_ai.usage.output_tokens", 20 + static_cast<int64_t>(rng_() % 800));
      num("gen_ai.usage.cache_read.input_tokens", in / 2);
      const std::string& system = system_prompts_[n % system_prompts_.size()];
      std::string input = R"([{"role":"system","parts":[{"type":"text","content":")" + system +
                          R"("}]},{"role":"user","parts":[{"type":"text","content":")" +
                          std::string(Text(batch, 100, 600)) + R"("}]}])";
      str("gen_ai.input.messages", input);
      str("gen_ai.output.messages", R"([{"role":"assistant","parts":[{"type":"text","content":")" +
                                        std::string(Text(batch, 200, 2000)) +
                                        R"("}],"finish_reason":"stop"}])");
      s.events.push_back({s.start_time_unix_nano + 150'000'000, "gen_ai.first_token", {}, 0});
    }
    if (failed && i == span_count - 1) {
      s.status.code = model::StatusCode::kError;
      s.status.message = "429 Rate limit reached for requests";
      model::Event ex;
      ex.name = "exception";
      ex.time_unix_nano = s.end_time_unix_nano;
      ex.attributes.push_back({"exception.type", model::AnyValue::String("RateLimitError")});
      ex.attributes.push_back(
          {"exception.message", model::AnyValue::String("429 Rate limit reached for requests")});
      s.events.push_back(std::move(ex));
    }
    batch->spans.push_back(std::move(s));
  }
}

}  // namespace tokenscope::bench
