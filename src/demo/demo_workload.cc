#include "demo/demo_workload.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <vector>

namespace tokenscope::demo {
namespace {

using model::AnyValue;
using model::Span;
using model::SpanKind;

constexpr uint64_t kMs = 1'000'000;

struct ChatModel {
  std::string_view provider;
  std::string_view name;
  int64_t context_window;
};

constexpr std::array<ChatModel, 6> kChatModels = {{
    {"openai", "gpt-4o", 128'000},
    {"openai", "gpt-4o-mini", 128'000},
    {"anthropic", "claude-sonnet-4-5", 200'000},
    {"anthropic", "claude-haiku-4-5", 200'000},
    {"gcp.gemini", "gemini-2.5-flash", 1'000'000},
    {"mistral", "mistral-large-latest", 128'000},
}};

struct Doc {
  std::string_view id;
  std::string_view content;
};

constexpr std::array<Doc, 12> kDocs = {{
    {"kb-101",
     "Refunds: items can be returned within 30 days of delivery for a full refund. "
     "Refunds go back to the original payment method within 5-7 business days."},
    {"kb-102",
     "Return shipping is free for orders over $50. Below that, a $5.99 label fee is "
     "deducted from the refund."},
    {"kb-117",
     "Damaged items: send a photo of the damage within 14 days and we ship a "
     "replacement at no cost, without waiting for the return."},
    {"kb-130",
     "Warranty: electronics carry a 2-year limited warranty covering manufacturing "
     "defects, not accidental damage or water exposure."},
    {"kb-142",
     "Order changes are possible until the order is packed, usually within 2 hours "
     "of purchase. After that, cancel on delivery or return it."},
    {"kb-155",
     "Express shipping delivers in 1-2 business days to the continental US; orders "
     "placed after 2 pm ship the next business day."},
    {"kb-163",
     "International orders may incur import duties, paid by the recipient. Returns "
     "from outside the US are refunded without the original shipping cost."},
    {"kb-178",
     "Gift cards are not refundable and never expire. A lost gift card can be "
     "replaced with the original order number."},
    {"kb-181",
     "Price match: if an item drops in price within 14 days of purchase, contact "
     "support for a refund of the difference."},
    {"kb-194",
     "Account security: we never ask for your password by email. Enable two-factor "
     "authentication under Settings > Security."},
    {"kb-203",
     "Subscriptions renew monthly on the day of sign-up and can be cancelled any "
     "time; the current month is not prorated."},
    {"kb-219",
     "Loyalty points: 1 point per dollar spent, 100 points = $5 off. Points expire "
     "after 12 months without a purchase."},
}};

struct Question {
  std::string_view text;
  std::string_view answer;
};

constexpr std::array<Question, 8> kQuestions = {{
    {"Can I still return the headphones I got three weeks ago?",
     "Yes. Items can be returned within 30 days of delivery, so your headphones are still "
     "eligible. Return shipping is free for orders over $50, and the refund goes back to your "
     "original payment method within 5-7 business days."},
    {"My blender arrived with a cracked jar, what do I do?",
     "I'm sorry it arrived damaged. Send us a photo of the crack within 14 days of delivery and "
     "we will ship a replacement right away, at no cost and without waiting for the return."},
    {"How long does express shipping take to Denver?",
     "Express shipping to Denver takes 1-2 business days. Orders placed after 2 pm ship the next "
     "business day, so an order today before 2 pm usually arrives by the day after tomorrow."},
    {"Does the warranty cover my laptop if I spilled coffee on it?",
     "Unfortunately not: the 2-year limited warranty covers manufacturing defects, but not "
     "accidental damage or water exposure such as a coffee spill."},
    {"The TV I bought last week is now $80 cheaper. Can I get the difference back?",
     "Yes. Because the price dropped within 14 days of your purchase, you qualify for a price "
     "match. Contact support with your order number and we refund the $80 difference."},
    {"Can I change the shipping address on the order I placed an hour ago?",
     "Probably yes: orders can be changed until they are packed, which usually happens within 2 "
     "hours of purchase. Update the address from your order page as soon as possible."},
    {"Do my loyalty points expire?",
     "Your points expire only after 12 months without a purchase. You earn 1 point per dollar, "
     "and every 100 points is worth $5 off your next order."},
    {"How do I cancel my monthly subscription?",
     "You can cancel any time from Settings > Subscriptions. It stays active until the end of "
     "the current month, which is not prorated, and will not renew after that."},
}};

constexpr std::array<std::string_view, 4> kSystemPrompts = {
    "You are Acme's customer support assistant. Answer using only the provided context. Be "
    "concise and friendly, cite the policy that applies, and never invent order details.",
    "You are a support agent for Acme. Use the tools to look up orders, check eligibility and "
    "create labels before answering. Ask for an order number when you need one.",
    "You are a helpful shopping assistant for Acme. Keep answers under 80 words.",
    "You grade answers of a support assistant. Reply with a score from 0 to 1 and one sentence "
    "explaining it.",
};

constexpr std::array<std::string_view, 24> kAlternatives = {
    " the", " a",    " your", " our", " it",     " this", " we",      " you",
    ".",    ",",     " and",  " to",  " within", " days", " refund",  " order",
    " can", " will", " is",   " not", " free",   " ship", " support", " yes"};

struct ToolSpec {
  std::string_view name;
  std::string_view description;
};

constexpr std::array<ToolSpec, 4> kTools = {{
    {"lookup_order", "Looks up an order by number"},
    {"check_refund_eligibility", "Checks whether an order can be refunded"},
    {"create_return_label", "Creates a prepaid return label"},
    {"search_knowledge_base", "Searches the help center"},
}};

enum class Failure {
  kNone,
  kContextLength,  // prompt
  kTruncated,      // model
  kRefusal,        // model
  kRateLimit,      // infrastructure
  kTimeout,        // infrastructure
  kUnknown,
};

// Writes the spans of one trace into a batch: ids, times, attributes copied into the batch's
// arena. Lives for one trace; borrows the batch and the generator's random state.
class TraceWriter {
 public:
  TraceWriter(model::SpanBatch* batch, std::mt19937_64* rng, std::string_view service,
              std::string_view environment)
      : batch_(batch), rng_(rng) {
    if (batch_->scopes.empty()) {
      model::Scope scope;
      scope.name = "tokenscope.demo";
      scope.version = "1.0.0";
      batch_->scopes.push_back(scope);
    }
    model::Resource resource;
    Arena& arena = batch_->arena();
    resource.attributes.push_back({"service.name", AnyValue::String(arena.Copy(service))});
    resource.attributes.push_back({"service.version", AnyValue::String("2.14.0")});
    resource.attributes.push_back(
        {"deployment.environment.name", AnyValue::String(arena.Copy(environment))});
    resource.attributes.push_back({"telemetry.sdk.language", AnyValue::String("python")});
    resource.attributes.push_back({"telemetry.sdk.name", AnyValue::String("opentelemetry")});
    resource.attributes.push_back({"telemetry.sdk.version", AnyValue::String("1.38.0")});
    resource.attributes.push_back({"host.name", AnyValue::String(arena.Copy(HostName()))});
    batch_->resources.push_back(std::move(resource));
    resource_index_ = static_cast<uint32_t>(batch_->resources.size() - 1);
    for (size_t i = 0; i < trace_id_.size(); i += 8) {
      uint64_t r = (*rng_)();
      std::memcpy(trace_id_.data() + i, &r, 8);
    }
    trace_id_[0] |= 1;  // never all zero
  }

  Span Begin(const Span* parent, std::string_view name, SpanKind kind, uint64_t start,
             uint64_t duration) {
    Span s;
    s.trace_id = trace_id_;
    uint64_t id = (*rng_)() | 1;
    std::memcpy(s.span_id.data(), &id, 8);
    if (parent != nullptr) s.parent_span_id = parent->span_id;
    s.name = batch_->arena().Copy(name);
    s.kind = kind;
    s.start_time_unix_nano = start;
    s.end_time_unix_nano = start + duration;
    s.resource_index = resource_index_;
    s.scope_index = 0;
    s.flags = 0x301;  // sampled; parent is remote-aware
    return s;
  }

  void Str(Span& s, std::string_view key, std::string_view value) {
    s.attributes.push_back({Key(key), AnyValue::String(batch_->arena().Copy(value))});
  }
  void Int(Span& s, std::string_view key, int64_t value) {
    s.attributes.push_back({Key(key), AnyValue::Int(value)});
  }
  void Dbl(Span& s, std::string_view key, double value) {
    s.attributes.push_back({Key(key), AnyValue::Double(value)});
  }
  void Bool(Span& s, std::string_view key, bool value) {
    s.attributes.push_back({Key(key), AnyValue::Bool(value)});
  }
  model::KeyValue StrKv(std::string_view key, std::string_view value) {
    return {Key(key), AnyValue::String(batch_->arena().Copy(value))};
  }
  model::KeyValue IntKv(std::string_view key, int64_t value) {
    return {Key(key), AnyValue::Int(value)};
  }
  model::KeyValue DblKv(std::string_view key, double value) {
    return {Key(key), AnyValue::Double(value)};
  }

  void Event(Span& s, uint64_t time, std::string_view name, model::Attributes attributes) {
    s.events.push_back({time, Key(name), std::move(attributes), 0});
  }

  // Marks `s` failed with an exception event, as the OTel SDKs record a raised error.
  void Fail(Span& s, std::string_view type, std::string_view message) {
    s.status.code = model::StatusCode::kError;
    s.status.message = batch_->arena().Copy(message);
    Str(s, "error.type", type);
    Event(s, s.end_time_unix_nano, "exception",
          {StrKv("exception.type", type), StrKv("exception.message", message)});
  }

  void Finish(Span s) {
    batch_->spans.push_back(std::move(s));
    ++spans_;
  }

  size_t spans() const { return spans_; }
  uint64_t Uniform(uint64_t lo, uint64_t hi) { return lo + (*rng_)() % (hi - lo + 1); }
  double Unit() { return std::uniform_real_distribution<double>(0, 1)(*rng_); }

 private:
  std::string_view Key(std::string_view key) { return batch_->arena().Copy(key); }
  std::string HostName() {
    char name[32];
    std::snprintf(name, sizeof(name), "ip-10-0-%d-%d", static_cast<int>((*rng_)() % 8),
                  static_cast<int>((*rng_)() % 250 + 2));
    return name;
  }

  model::SpanBatch* batch_;
  std::mt19937_64* rng_;
  model::TraceId trace_id_{};
  uint32_t resource_index_ = 0;
  size_t spans_ = 0;
};

int64_t EstimateTokens(std::string_view text) {
  return std::max<int64_t>(1, static_cast<int64_t>(text.size() / 4));
}

std::string TextPart(std::string_view text) {
  return R"({"type":"text","content":")" + JsonEscape(text) + "\"}";
}

std::string Message(std::string_view role, const std::string& parts) {
  return R"({"role":")" + std::string(role) + R"(","parts":[)" + parts + "]}";
}

// Splits text into word tokens the way BPE vocabularies do: each word carries its leading space.
std::vector<std::string> Tokens(std::string_view text) {
  std::vector<std::string> out;
  std::string current;
  for (char c : text) {
    const bool boundary = c == ' ' || c == ',' || c == '.' || c == ':' || c == '?';
    if (boundary && !current.empty() && current != " ") {
      out.push_back(current);
      current.clear();
    }
    current += c;
    if ((c == ',' || c == '.' || c == ':' || c == '?') && !current.empty()) {
      out.push_back(current);
      current.clear();
    }
  }
  if (!current.empty()) out.push_back(current);
  return out;
}

struct ChatRequest {
  const ChatModel* model = nullptr;
  std::string_view system;
  std::string input_json;  // gen_ai.input.messages
  int64_t input_tokens = 0;
  std::string answer;                // text of the reply, when it is text
  std::string tool_call_json;        // an assistant tool_call part instead of text
  std::string_view finish = "stop";  // finish reason
  bool stream = false;               // gen_ai.token events with logprobs
  Failure failure = Failure::kNone;  // how the call goes wrong
  std::string_view session;
  std::string_view user;
};

// A chat completion span with usage, messages and, when streamed, per-token events. Returns
// its end time.
uint64_t AddChat(TraceWriter& w, const Span& parent, uint64_t start, const ChatRequest& r) {
  const ChatModel& m = *r.model;
  const std::vector<std::string> tokens = Tokens(r.answer);
  int64_t output_tokens = r.tool_call_json.empty() ? static_cast<int64_t>(tokens.size())
                                                   : static_cast<int64_t>(w.Uniform(18, 40));
  const uint64_t ttft = w.Uniform(180, 900) * kMs;
  uint64_t per_token = w.Uniform(12, 35) * kMs;
  uint64_t duration =
      ttft + static_cast<uint64_t>(output_tokens) * per_token + w.Uniform(5, 40) * kMs;
  if (r.failure == Failure::kTimeout) duration = 30'000 * kMs;
  if (r.failure == Failure::kRateLimit || r.failure == Failure::kContextLength) {
    duration = w.Uniform(40, 220) * kMs;
  }
  Span s = w.Begin(&parent, "chat " + std::string(m.name), SpanKind::kClient, start, duration);
  w.Str(s, "gen_ai.operation.name", "chat");
  w.Str(s, "gen_ai.provider.name", m.provider);
  w.Str(s, "gen_ai.request.model", m.name);
  w.Dbl(s, "gen_ai.request.temperature", 0.2);
  w.Int(s, "gen_ai.request.max_tokens", r.failure == Failure::kTruncated ? 64 : 1024);
  if (r.stream) w.Bool(s, "gen_ai.request.stream", true);
  w.Str(s, "server.address",
        m.provider == "openai"      ? "api.openai.com"
        : m.provider == "anthropic" ? "api.anthropic.com"
        : m.provider == "mistral"   ? "api.mistral.ai"
                                    : "generativelanguage.googleapis.com");
  if (!r.session.empty()) w.Str(s, "gen_ai.conversation.id", r.session);
  if (!r.session.empty()) w.Str(s, "session.id", r.session);
  if (!r.user.empty()) w.Str(s, "user.id", r.user);
  w.Str(s, "gen_ai.system_instructions", "[" + TextPart(r.system) + "]");
  w.Str(s, "gen_ai.input.messages", r.input_json);

  if (r.failure == Failure::kContextLength) {
    const int64_t asked = m.context_window + static_cast<int64_t>(w.Uniform(300, 9000));
    w.Int(s, "http.response.status_code", 400);
    w.Fail(s, "context_length_exceeded",
           "This model's maximum context length is " + std::to_string(m.context_window) +
               " tokens. However, your messages resulted in " + std::to_string(asked) +
               " tokens. Please reduce the length of the messages.");
    w.Finish(std::move(s));
    return start + duration;
  }
  if (r.failure == Failure::kRateLimit) {
    w.Int(s, "http.response.status_code", 429);
    w.Fail(s, "RateLimitError",
           "Rate limit reached for " + std::string(m.name) +
               " on tokens per min (TPM): Limit 30000, Used 29482, Requested 1873. Please try "
               "again in 2.7s.");
    w.Finish(std::move(s));
    return start + duration;
  }
  if (r.failure == Failure::kTimeout) {
    w.Fail(s, "APITimeoutError", "Request timed out after 30s.");
    w.Finish(std::move(s));
    return start + duration;
  }

  w.Str(s, "gen_ai.response.model", m.name);
  char id[40];
  std::snprintf(id, sizeof(id), "chatcmpl-%016llx",
                static_cast<unsigned long long>(w.Uniform(1, 1ull << 60)));
  w.Str(s, "gen_ai.response.id", id);
  w.Str(s, "gen_ai.response.finish_reasons", "[\"" + std::string(r.finish) + "\"]");
  const int64_t cache_read = w.Unit() < 0.6 ? (r.input_tokens / 128) * 64 : 0;
  w.Int(s, "gen_ai.usage.input_tokens", r.input_tokens);
  w.Int(s, "gen_ai.usage.output_tokens", output_tokens);
  if (cache_read > 0) w.Int(s, "gen_ai.usage.cache_read.input_tokens", cache_read);
  std::string output_parts = r.tool_call_json.empty() ? TextPart(r.answer) : r.tool_call_json;
  w.Str(s, "gen_ai.output.messages",
        R"([{"role":"assistant","parts":[)" + output_parts + R"(],"finish_reason":")" +
            std::string(r.finish) + "\"}]");
  if (r.stream) {
    uint64_t offset = ttft;
    for (size_t i = 0; i < tokens.size(); ++i) {
      // Mostly confident, now and then a real choice between words.
      const bool unsure = w.Unit() < 0.12;
      const double logprob = unsure ? -(0.4 + 2.6 * w.Unit()) : -(0.25 * w.Unit() * w.Unit());
      std::string top = R"([{"token":")" + JsonEscape(tokens[i]) + R"(","logprob":)" +
                        std::to_string(logprob) + "}";
      // The alternatives share what the chosen token leaves, so the probabilities a model
      // reports never add up to more than 1.
      double rest = 1.0 - std::exp(logprob);
      for (int a = 0; a < 2; ++a) {
        std::string_view alt = kAlternatives[w.Uniform(0, kAlternatives.size() - 1)];
        if (alt == tokens[i]) continue;
        const double share = rest * (0.35 + 0.5 * w.Unit());
        rest -= share;
        top += R"(,{"token":")" + JsonEscape(alt) + R"(","logprob":)" +
               std::to_string(std::log(std::max(share, 1e-9))) + "}";
      }
      top += "]";
      w.Event(s, start + offset, "gen_ai.token",
              {w.StrKv("token", tokens[i]), w.DblKv("logprob", logprob),
               w.IntKv("index", static_cast<int64_t>(i)),
               w.IntKv("offset", static_cast<int64_t>(offset)), w.StrKv("top_logprobs", top)});
      offset += per_token / 2 + w.Uniform(0, per_token);
    }
  } else {
    w.Event(s, start + ttft, "gen_ai.first_token", {});
  }
  if (r.failure == Failure::kUnknown) {
    w.Fail(s, "ValueError", "could not parse model reply: unexpected end of stream");
  }
  w.Finish(std::move(s));
  return start + duration;
}

// Who asks, and in which conversation. A user holds up to three conversations in each quarter
// of an hour, so a conversation (session) is several traces in a row, all by one user, as in a
// real chat product. Two draws, as the workload always made, so that everything else stays the
// same for a seed.
struct Conversation {
  std::string session;
  std::string user;
};

Conversation PickConversation(TraceWriter& w, uint64_t start) {
  static constexpr std::array<std::string_view, 8> kUsers = {
      "alice@example.com", "bob@example.com",   "carol@example.com", "dan@example.com",
      "erin@example.com",  "frank@example.com", "grace@example.com", "heidi@example.com"};
  constexpr uint64_t kSlots = 3;
  constexpr uint64_t kWindow = 15 * 60'000 * kMs;
  const uint64_t slot = w.Uniform(0, kSlots - 1);
  const uint64_t user = w.Uniform(0, kUsers.size() - 1);
  const uint64_t n = ((start / kWindow) * kUsers.size() + user) * kSlots + slot;
  char id[24];
  std::snprintf(id, sizeof(id), "sess-%06llx", static_cast<unsigned long long>(n & 0xFFFFFF));
  return {id, std::string(kUsers[user])};
}

Failure PickFailure(TraceWriter& w) {
  const double x = w.Unit();
  if (x < 0.025) return Failure::kRateLimit;
  if (x < 0.040) return Failure::kContextLength;
  if (x < 0.055) return Failure::kTruncated;
  if (x < 0.065) return Failure::kRefusal;
  if (x < 0.075) return Failure::kTimeout;
  if (x < 0.082) return Failure::kUnknown;
  return Failure::kNone;
}

const ChatModel& PickModel(TraceWriter& w) {
  return kChatModels[w.Uniform(0, kChatModels.size() - 1)];
}

void HttpRoot(TraceWriter& w, Span& root, std::string_view route, bool failed) {
  w.Str(root, "http.request.method", "POST");
  w.Str(root, "http.route", route);
  w.Str(root, "url.path", route);
  w.Int(root, "http.response.status_code", failed ? 500 : 200);
  if (failed) root.status.code = model::StatusCode::kError;
}

size_t AddRagTrace(TraceWriter& w, uint64_t start) {
  const Question& q = kQuestions[w.Uniform(0, kQuestions.size() - 1)];
  const Conversation conversation = PickConversation(w, start);
  const std::string& session = conversation.session;
  const std::string& user = conversation.user;
  Failure failure = PickFailure(w);
  const ChatModel& model = PickModel(w);

  Span root = w.Begin(nullptr, "POST /v1/answer", SpanKind::kServer, start, 0);
  w.Str(root, "user.id", user);
  w.Str(root, "session.id", session);
  Span chain = w.Begin(&root, "rag.pipeline", SpanKind::kInternal, start + 2 * kMs, 0);
  w.Str(chain, "openinference.span.kind", "CHAIN");
  w.Str(chain, "input.value", q.text);
  uint64_t t = chain.start_time_unix_nano + kMs;

  Span embed = w.Begin(&chain, "embeddings text-embedding-3-small", SpanKind::kClient, t,
                       w.Uniform(25, 90) * kMs);
  w.Str(embed, "gen_ai.operation.name", "embeddings");
  w.Str(embed, "gen_ai.provider.name", "openai");
  w.Str(embed, "gen_ai.request.model", "text-embedding-3-small");
  w.Str(embed, "gen_ai.response.model", "text-embedding-3-small");
  w.Int(embed, "gen_ai.usage.input_tokens", EstimateTokens(q.text));
  w.Int(embed, "gen_ai.embeddings.dimension.count", 1536);
  t = embed.end_time_unix_nano + kMs;
  w.Finish(std::move(embed));

  // Six candidates from the vector store, three kept by the reranker.
  std::array<size_t, 6> picks{};
  for (size_t i = 0; i < picks.size(); ++i) picks[i] = (w.Uniform(0, 11) + i * 5) % kDocs.size();
  Span retrieve =
      w.Begin(&chain, "vector_db.query", SpanKind::kClient, t, w.Uniform(15, 120) * kMs);
  w.Str(retrieve, "openinference.span.kind", "RETRIEVER");
  w.Str(retrieve, "db.system.name", "qdrant");
  w.Str(retrieve, "db.collection.name", "help-center");
  w.Str(retrieve, "input.value", q.text);
  std::array<double, 6> scores{};
  double score = 0.86 + 0.1 * w.Unit();
  for (size_t i = 0; i < picks.size(); ++i) {
    scores[i] = score;
    const std::string prefix = "retrieval.documents." + std::to_string(i) + ".document.";
    w.Str(retrieve, prefix + "id", kDocs[picks[i]].id);
    w.Str(retrieve, prefix + "content", kDocs[picks[i]].content);
    w.Dbl(retrieve, prefix + "score", std::round(score * 1000) / 1000);
    score -= 0.02 + 0.06 * w.Unit();
  }
  t = retrieve.end_time_unix_nano + kMs;
  w.Finish(std::move(retrieve));

  Span rerank = w.Begin(&chain, "reranker.rank", SpanKind::kClient, t, w.Uniform(60, 240) * kMs);
  w.Str(rerank, "openinference.span.kind", "RERANKER");
  w.Str(rerank, "reranker.model_name", "rerank-v3.5");
  w.Str(rerank, "reranker.query", q.text);
  w.Int(rerank, "reranker.top_k", 3);
  for (size_t i = 0; i < picks.size(); ++i) {
    const std::string prefix = "reranker.input_documents." + std::to_string(i) + ".document.";
    w.Str(rerank, prefix + "id", kDocs[picks[i]].id);
    w.Str(rerank, prefix + "content", kDocs[picks[i]].content);
    w.Dbl(rerank, prefix + "score", std::round(scores[i] * 1000) / 1000);
  }
  const std::array<size_t, 3> kept = {0, w.Uniform(0, 1) ? size_t{2} : size_t{1}, 4};
  std::string context;
  double rerank_score = 0.93 + 0.06 * w.Unit();
  for (size_t i = 0; i < kept.size(); ++i) {
    const Doc& d = kDocs[picks[kept[i]]];
    const std::string prefix = "reranker.output_documents." + std::to_string(i) + ".document.";
    w.Str(rerank, prefix + "id", d.id);
    w.Str(rerank, prefix + "content", d.content);
    w.Dbl(rerank, prefix + "score", std::round(rerank_score * 1000) / 1000);
    rerank_score *= 0.3 + 0.5 * w.Unit();
    context += "[" + std::string(d.id) + "] " + std::string(d.content) + "\n";
  }
  t = rerank.end_time_unix_nano + kMs;
  w.Finish(std::move(rerank));

  ChatRequest chat;
  chat.model = &model;
  chat.system = kSystemPrompts[0];
  std::string question = "Context:\n" + context + "\nQuestion: " + std::string(q.text);
  chat.input_json = "[" + Message("user", TextPart(question)) + "]";
  chat.input_tokens = EstimateTokens(chat.system) + EstimateTokens(question);
  chat.answer = q.answer;
  chat.session = session;
  chat.user = user;
  chat.failure = failure;
  if (failure == Failure::kContextLength) chat.input_tokens = model.context_window + 1;
  if (failure == Failure::kTruncated) {
    chat.finish = "length";
    chat.answer = chat.answer.substr(0, chat.answer.size() / 3);
  }
  if (failure == Failure::kRefusal) {
    chat.finish = model.provider == "anthropic" ? "refusal" : "content_filter";
    chat.answer = "";
  }
  bool failed = failure == Failure::kContextLength || failure == Failure::kTimeout ||
                failure == Failure::kUnknown;
  t = AddChat(w, chain, t, chat) + kMs;
  if (failure == Failure::kRateLimit) {
    // The client backs off and retries; the retry usually goes through.
    t += 2'700 * kMs;
    chat.failure = w.Unit() < 0.7 ? Failure::kNone : Failure::kRateLimit;
    failed = chat.failure != Failure::kNone;
    t = AddChat(w, chain, t, chat) + kMs;
  }
  chain.end_time_unix_nano = t;
  if (failed) {
    w.Fail(chain, failure == Failure::kUnknown ? "ValueError" : "GenerationError",
           "answer generation failed");
  }
  w.Str(chain, "output.value", failed ? "" : chat.answer);
  root.end_time_unix_nano = t + kMs;
  HttpRoot(w, root, "/v1/answer", failed);
  w.Finish(std::move(chain));
  w.Finish(std::move(root));
  return w.spans();
}

size_t AddAgentTrace(TraceWriter& w, uint64_t start) {
  const Conversation conversation = PickConversation(w, start);
  const std::string& session = conversation.session;
  const std::string& user = conversation.user;
  const ChatModel& model = kChatModels[w.Uniform(0, 1) ? 2 : 0];
  Failure failure = PickFailure(w);
  char order[16];
  std::snprintf(order, sizeof(order), "A-%06llu",
                static_cast<unsigned long long>(w.Uniform(100000, 999999)));
  const std::string request = std::string("I want to return order ") + order +
                              ", the jacket is too small. Can I get a refund?";

  Span root = w.Begin(nullptr, "invoke_agent support-agent", SpanKind::kInternal, start, 0);
  w.Str(root, "gen_ai.operation.name", "invoke_agent");
  w.Str(root, "gen_ai.agent.name", "support-agent");
  w.Str(root, "gen_ai.agent.id", "agt-support-7");
  w.Str(root, "gen_ai.provider.name", model.provider);
  w.Str(root, "gen_ai.request.model", model.name);
  w.Str(root, "gen_ai.conversation.id", session);
  w.Str(root, "user.id", user);

  struct Step {
    std::string_view tool;
    std::string arguments;
    std::string result;
  };
  std::vector<Step> steps = {
      {"lookup_order", std::string(R"({"order_id":")") + order + "\"}",
       std::string(R"({"order_id":")") + order +
           R"(","status":"delivered","delivered_at":"2025-11-02","total":89.0,"items":["Rain jacket, M"]})"},
      {"check_refund_eligibility",
       std::string(R"({"order_id":")") + order + R"(","reason":"wrong size"})",
       R"({"eligible":true,"refund_amount":89.0,"return_shipping":"free"})"},
  };
  if (w.Unit() < 0.6) {
    steps.push_back({"create_return_label",
                     std::string(R"({"order_id":")") + order + R"(","carrier":"ups"})",
                     R"({"label_url":"https://labels.example.com/ups/1Z999AA10123456784.pdf"})"});
  }

  std::string messages = Message("user", TextPart(request));
  uint64_t t = start + 3 * kMs;
  int64_t input_tokens = EstimateTokens(kSystemPrompts[1]) + EstimateTokens(request) + 420;
  bool failed = false;
  for (size_t i = 0; i < steps.size() && !failed; ++i) {
    char call_id[32];
    std::snprintf(call_id, sizeof(call_id), "call_%012llx",
                  static_cast<unsigned long long>(w.Uniform(1, 1ull << 44)));
    ChatRequest chat;
    chat.model = &model;
    chat.system = kSystemPrompts[1];
    chat.input_json = "[" + messages + "]";
    chat.input_tokens = input_tokens;
    chat.tool_call_json = R"({"type":"tool_call","id":")" + std::string(call_id) + R"(","name":")" +
                          std::string(steps[i].tool) + R"(","arguments":)" + steps[i].arguments +
                          "}";
    chat.finish = "tool_calls";
    chat.session = session;
    chat.user = user;
    if (i == 1 && failure == Failure::kRateLimit) chat.failure = Failure::kRateLimit;
    t = AddChat(w, root, t, chat) + kMs;
    if (chat.failure == Failure::kRateLimit) {
      t += 1'500 * kMs;
      chat.failure = Failure::kNone;
      t = AddChat(w, root, t, chat) + kMs;
    }
    Span tool = w.Begin(&root, "execute_tool " + std::string(steps[i].tool), SpanKind::kInternal, t,
                        w.Uniform(30, 400) * kMs);
    w.Str(tool, "gen_ai.operation.name", "execute_tool");
    w.Str(tool, "gen_ai.tool.name", steps[i].tool);
    w.Str(tool, "gen_ai.tool.type", "function");
    w.Str(tool, "gen_ai.tool.call.id", call_id);
    w.Str(tool, "gen_ai.tool.description", kTools[i % kTools.size()].description);
    w.Str(tool, "gen_ai.tool.call.arguments", steps[i].arguments);
    if (i == 1 && failure == Failure::kTimeout) {
      // A dependency of the tool is down: an infrastructure error outside any model call.
      w.Fail(tool, "ConnectionError", "connection refused: orders-db.internal:5432 (ECONNREFUSED)");
      failed = true;
    } else {
      w.Str(tool, "gen_ai.tool.call.result", steps[i].result);
    }
    t = tool.end_time_unix_nano + kMs;
    w.Finish(std::move(tool));
    messages += "," + Message("assistant", chat.tool_call_json);
    messages +=
        "," + Message("tool", R"({"type":"tool_call_response","id":")" + std::string(call_id) +
                                  R"(","response":)" +
                                  (failed ? std::string("\"error\"") : steps[i].result) + "}");
    input_tokens += 60 + EstimateTokens(steps[i].result);
  }
  if (!failed) {
    ChatRequest chat;
    chat.model = &model;
    chat.system = kSystemPrompts[1];
    chat.input_json = "[" + messages + "]";
    chat.input_tokens = input_tokens;
    chat.answer =
        std::string("Your order ") + order + " is eligible for a full refund of $89.00. " +
        (steps.size() > 2 ? "I created a free UPS return label; you will get it by email. "
                          : "Return shipping is free. ") +
        "The refund reaches your card within 5-7 business days after we receive it.";
    chat.session = session;
    chat.user = user;
    if (failure == Failure::kTruncated) chat.finish = "length";
    if (failure == Failure::kUnknown) chat.failure = Failure::kUnknown;
    failed = failure == Failure::kUnknown;
    t = AddChat(w, root, t, chat) + kMs;
  }
  root.end_time_unix_nano = t;
  if (failed) {
    root.status.code = model::StatusCode::kError;
    root.status.message = "agent run failed";
  }
  w.Finish(std::move(root));
  return w.spans();
}

size_t AddStreamedChatTrace(TraceWriter& w, uint64_t start) {
  const Question& q = kQuestions[w.Uniform(0, kQuestions.size() - 1)];
  const Conversation conversation = PickConversation(w, start);
  const std::string& session = conversation.session;
  const std::string& user = conversation.user;
  const ChatModel& model = kChatModels[w.Uniform(0, 2) == 0 ? 0 : 1];
  Failure failure = PickFailure(w);
  if (failure == Failure::kTimeout) failure = Failure::kUnknown;

  Span root = w.Begin(nullptr, "POST /v1/chat", SpanKind::kServer, start, 0);
  w.Str(root, "user.id", user);
  w.Str(root, "session.id", session);
  Span history =
      w.Begin(&root, "load_conversation", SpanKind::kClient, start + kMs, w.Uniform(2, 12) * kMs);
  w.Str(history, "db.system.name", "redis");
  w.Str(history, "db.operation.name", "GET");
  w.Str(history, "db.query.text", "GET conv:" + session);
  uint64_t t = history.end_time_unix_nano + kMs;
  w.Finish(std::move(history));

  Span guard = w.Begin(&root, "moderation.check", SpanKind::kInternal, t, w.Uniform(20, 70) * kMs);
  w.Str(guard, "openinference.span.kind", "GUARDRAIL");
  w.Str(guard, "input.value", q.text);
  w.Str(guard, "output.value", R"({"flagged":false})");
  t = guard.end_time_unix_nano + kMs;
  w.Finish(std::move(guard));

  ChatRequest chat;
  chat.model = &model;
  chat.system = kSystemPrompts[2];
  chat.input_json = "[" + Message("user", TextPart(q.text)) + "]";
  chat.input_tokens = EstimateTokens(chat.system) + EstimateTokens(q.text) + 180;
  chat.answer = q.answer;
  chat.stream = true;
  chat.session = session;
  chat.user = user;
  chat.failure =
      failure == Failure::kRateLimit || failure == Failure::kUnknown ? failure : Failure::kNone;
  if (failure == Failure::kTruncated) {
    chat.finish = "length";
    chat.answer = chat.answer.substr(0, chat.answer.size() / 2);
  }
  t = AddChat(w, root, t, chat) + kMs;
  root.end_time_unix_nano = t;
  HttpRoot(w, root, "/v1/chat", chat.failure != Failure::kNone);
  w.Finish(std::move(root));
  return w.spans();
}

size_t AddEvalBatchTrace(TraceWriter& w, uint64_t start) {
  Span root = w.Begin(nullptr, "eval.run nightly-regression", SpanKind::kInternal, start, 0);
  w.Str(root, "openinference.span.kind", "CHAIN");
  w.Str(root, "eval.dataset", "support-golden-v3");
  const ChatModel& model = kChatModels[1];
  const ChatModel& judge = kChatModels[0];
  uint64_t t = start + 5 * kMs;
  const size_t cases = 120;
  for (size_t i = 0; i < cases; ++i) {
    const Question& q = kQuestions[i % kQuestions.size()];
    Span c = w.Begin(&root, "eval.case " + std::to_string(i + 1), SpanKind::kInternal, t, 0);
    w.Str(c, "openinference.span.kind", "CHAIN");
    w.Str(c, "input.value", q.text);
    ChatRequest chat;
    chat.model = &model;
    chat.system = kSystemPrompts[2];
    chat.input_json = "[" + Message("user", TextPart(q.text)) + "]";
    chat.input_tokens = EstimateTokens(chat.system) + EstimateTokens(q.text);
    chat.answer = q.answer;
    uint64_t ct = AddChat(w, c, t + kMs, chat) + kMs;
    ChatRequest grade;
    grade.model = &judge;
    grade.system = kSystemPrompts[3];
    grade.input_json =
        "[" +
        Message("user", TextPart(std::string(q.text) + "\n\nAnswer: " + std::string(q.answer))) +
        "]";
    grade.input_tokens = EstimateTokens(grade.input_json) + 40;
    const double score = std::round((0.55 + 0.45 * w.Unit()) * 100) / 100;
    grade.answer = "Score: " + std::to_string(score).substr(0, 4) +
                   ". The answer follows the policy and stays concise.";
    Span e = w.Begin(&c, "evaluator faithfulness", SpanKind::kInternal, ct, 0);
    w.Str(e, "openinference.span.kind", "EVALUATOR");
    w.Dbl(e, "eval.score", score);
    ct = AddChat(w, e, ct + kMs, grade) + kMs;
    e.end_time_unix_nano = ct;
    w.Finish(std::move(e));
    c.end_time_unix_nano = ct;
    w.Finish(std::move(c));
    t = ct - (ct - t) * 3 / 4;  // cases overlap: the runner keeps four in flight
  }
  root.end_time_unix_nano = t + 200 * kMs;
  w.Finish(std::move(root));
  return w.spans();
}

}  // namespace

DemoWorkload::DemoWorkload(DemoWorkloadOptions options) : rng_(options.seed), options_(options) {}

size_t DemoWorkload::AddTrace(model::SpanBatch* batch, uint64_t start_unix_nano) {
  const uint64_t n = traces_;
  if (options_.eval_batch_every != 0 &&
      n % options_.eval_batch_every == options_.eval_batch_every - 1) {
    return AddEvalBatch(batch, start_unix_nano);
  }
  ++traces_;
  const uint64_t kind = rng_() % 10;
  if (kind < 4) {
    TraceWriter w(batch, &rng_, "rag-api", rng_() % 6 ? "production" : "staging");
    return AddRagTrace(w, start_unix_nano);
  }
  if (kind < 7) {
    TraceWriter w(batch, &rng_, "agent-worker", "production");
    return AddAgentTrace(w, start_unix_nano);
  }
  TraceWriter w(batch, &rng_, "chat-frontend", "production");
  return AddStreamedChatTrace(w, start_unix_nano);
}

size_t DemoWorkload::AddEvalBatch(model::SpanBatch* batch, uint64_t start_unix_nano) {
  ++traces_;
  TraceWriter w(batch, &rng_, "eval-runner", "ci");
  return AddEvalBatchTrace(w, start_unix_nano);
}

}  // namespace tokenscope::demo
