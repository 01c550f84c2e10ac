// End to end through the rollup path: spans -> ContributionOf -> Aggregator -> Store
// (merge operator) -> ScanRollups, checked against a direct recomputation from the spans.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "rollup/aggregator.h"
#include "rollup/rollup.h"
#include "store/store.h"
#include "store/store_factory.h"

namespace tokenscope::rollup {
namespace {

constexpr uint64_t kBase = 1763000000000000000ULL;
constexpr int kSpans = 6000;

struct ModelSpec {
  const char* provider;
  const char* model;
  int64_t input_price;  // nano-USD per token
  int64_t cached_price;
  int64_t output_price;
  double median_ms;
};
constexpr ModelSpec kModels[] = {
    {"openai", "gpt-4o", 2500, 1250, 10000, 900},
    {"openai", "gpt-4o-mini", 150, 75, 600, 400},
    {"anthropic", "claude-sonnet-4", 3000, 300, 15000, 1600},
    {"openai", "text-embedding-3-small", 20, 20, 0, 60},
};
const char* const kServices[] = {"rag-api", "agent-worker", "batch-summarizer"};
const char* const kTeams[] = {"search", "support", "growth", ""};

// One generated call, with everything the expectation is computed from.
struct Call {
  model::Span span;
  size_t resource = 0;
  model::LlmInfo llm;
  model::ErrorClass error = model::ErrorClass::kNone;
};

struct Generated {
  std::vector<model::Resource> resources;
  std::vector<Call> calls;
};

Generated Generate() {
  Generated g;
  for (const char* service : kServices) {
    model::Resource& r = g.resources.emplace_back();
    r.attributes.push_back({"service.name", model::AnyValue::String(service)});
  }
  std::mt19937_64 rng(42);
  for (int i = 0; i < kSpans; ++i) {
    Call& c = g.calls.emplace_back();
    const ModelSpec& m = kModels[rng() % std::size(kModels)];
    const bool embedding = std::string(m.model).starts_with("text-embedding");
    c.resource = rng() % std::size(kServices);
    c.llm.kind = embedding ? model::LlmSpanKind::kEmbedding : model::LlmSpanKind::kLlm;
    c.llm.operation = embedding ? "embeddings" : "chat";
    c.llm.provider = m.provider;
    c.llm.request_model = m.model;
    const int64_t input = 50 + static_cast<int64_t>(rng() % 8000);
    const int64_t cached = rng() % 3 == 0 ? input / 2 : 0;
    const int64_t output = embedding ? 0 : 10 + static_cast<int64_t>(rng() % 1500);
    c.llm.usage.input_tokens = input;
    if (!embedding) c.llm.usage.output_tokens = output;
    if (cached > 0) c.llm.usage.cache_read_input_tokens = cached;
    if (rng() % 5 == 0) c.llm.usage.reasoning_tokens = output / 3;
    if (rng() % 2 == 0) c.llm.usage.total_tokens = input + output;
    if (rng() % 10 != 0) {  // some calls have no price
      model::Cost cost;
      cost.input_nanos = (input - cached) * m.input_price;
      cost.cache_read_nanos = cached * m.cached_price;
      cost.output_nanos = output * m.output_price;
      cost.total_nanos = cost.input_nanos + cost.cache_read_nanos + cost.output_nanos;
      c.llm.cost = cost;
    }
    const double latency_ms = std::lognormal_distribution<double>(std::log(m.median_ms), 0.6)(rng);
    const uint64_t duration = static_cast<uint64_t>(latency_ms * 1e6);
    if (!embedding && rng() % 2 == 0) {
      c.llm.timing.time_to_first_token_ns = duration / (2 + rng() % 5);
    }
    const uint64_t r = rng() % 100;
    c.error = r < 3   ? model::ErrorClass::kInfrastructure
              : r < 5 ? model::ErrorClass::kModel
              : r < 6 ? model::ErrorClass::kPrompt
                      : model::ErrorClass::kNone;
    c.span.start_time_unix_nano = kBase + (rng() % (20 * kNanosPerMinute));
    c.span.end_time_unix_nano = c.span.start_time_unix_nano + duration;
    c.span.status.code =
        c.error == model::ErrorClass::kNone ? model::StatusCode::kOk : model::StatusCode::kError;
    const char* team = kTeams[rng() % std::size(kTeams)];
    if (*team != '\0') c.span.attributes.push_back({"team", model::AnyValue::String(team)});
  }
  return g;
}

const std::vector<AllocationDimension> kDimensions = {
    {"team", DimensionSource::kSpanAttribute, "team"}};

using GroupKey = std::tuple<uint64_t, std::string, std::string, std::string, std::string,
                            std::string, std::string>;

GroupKey GroupOf(const RollupKey& k) {
  return {k.minute,
          k.service,
          k.model,
          k.provider,
          k.operation,
          k.error_class,
          k.dimensions.at(0).second};
}

// What each cell must hold, computed straight from the calls, without the rollup code.
struct Expected {
  uint64_t requests = 0, errors = 0;
  int64_t input = 0, output = 0, cache_read = 0, reasoning = 0, total = 0;
  int64_t input_cost = 0, cache_read_cost = 0, output_cost = 0, total_cost = 0;
  std::vector<double> latencies;
};

std::map<GroupKey, Expected> Recompute(const Generated& g) {
  std::map<GroupKey, Expected> out;
  for (const Call& c : g.calls) {
    const model::AnyValue* team = model::FindAttribute(c.span.attributes, "team");
    GroupKey key{c.span.start_time_unix_nano / 60'000'000'000ULL,
                 std::string(model::ServiceName(g.resources[c.resource])),
                 c.llm.request_model,
                 c.llm.provider,
                 c.llm.operation,
                 std::string(model::ErrorClassName(c.error)),
                 team ? std::string(team->string_value) : ""};
    Expected& e = out[key];
    const model::TokenUsage& u = c.llm.usage;
    e.requests += 1;
    e.errors += c.error != model::ErrorClass::kNone;
    e.input += u.input_tokens.value_or(0);
    e.output += u.output_tokens.value_or(0);
    e.cache_read += u.cache_read_input_tokens.value_or(0);
    e.reasoning += u.reasoning_tokens.value_or(0);
    e.total += u.input_tokens.value_or(0) + u.output_tokens.value_or(0);
    if (c.llm.cost) {
      e.input_cost += c.llm.cost->input_nanos;
      e.cache_read_cost += c.llm.cost->cache_read_nanos;
      e.output_cost += c.llm.cost->output_nanos;
      e.total_cost += c.llm.cost->total_nanos;
    }
    e.latencies.push_back(static_cast<double>(c.span.duration_ns()));
  }
  return out;
}

class RollupExactnessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = ::testing::TempDir() + "tokenscope_rollup_XXXXXX";
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  std::unique_ptr<store::Store> Open() {
    store::EmbeddedStoreOptions options;
    options.data_dir = dir_;
    options.sync_writes = false;
    options.memtable_budget_bytes = 16 << 20;
    options.block_cache_bytes = 8 << 20;
    auto opened = store::OpenEmbeddedStore(options);
    EXPECT_TRUE(opened.ok()) << opened.status().ToString();
    return opened.ok() ? std::move(opened).value() : nullptr;
  }
  std::string dir_;
};

TEST_F(RollupExactnessTest, StoredRollupsEqualRecomputationFromSpans) {
  const Generated g = Generate();
  Aggregator aggregator;
  {
    std::unique_ptr<store::Store> store = Open();
    ASSERT_NE(store, nullptr);
    // Ingest in batches of varying size, in an order unrelated to time.
    std::mt19937_64 rng(7);
    size_t i = 0;
    while (i < g.calls.size()) {
      const size_t n = std::min<size_t>(1 + rng() % 150, g.calls.size() - i);
      std::vector<RollupEntry> contributions;
      for (size_t k = i; k < i + n; ++k) {
        const Call& c = g.calls[k];
        auto entry = ContributionOf(c.span, g.resources[c.resource], c.llm, c.error, kDimensions);
        ASSERT_TRUE(entry.has_value());
        contributions.push_back(std::move(*entry));
      }
      ASSERT_TRUE(
          store->MergeRollups("proj", aggregator.AggregateBatch("proj", std::move(contributions)))
              .ok());
      i += n;
    }
  }
  EXPECT_EQ(aggregator.folded_values(), 0u);

  std::unique_ptr<store::Store> store = Open();  // reopened: read back from disk
  ASSERT_NE(store, nullptr);
  std::map<GroupKey, Expected> expected = Recompute(g);
  std::map<GroupKey, RollupCell> stored;
  uint64_t previous_minute = 0;
  ASSERT_TRUE(store
                  ->ScanRollups({"proj", 0, UINT64_MAX},
                                [&](const RollupEntry& e) {
                                  EXPECT_GE(e.key.minute, previous_minute);
                                  previous_minute = e.key.minute;
                                  EXPECT_TRUE(stored.emplace(GroupOf(e.key), e.cell).second);
                                  return true;
                                })
                  .ok());
  ASSERT_EQ(stored.size(), expected.size());

  std::map<std::string, std::pair<DDSketch, std::vector<double>>> by_model;
  for (auto& [key, want] : expected) {
    auto it = stored.find(key);
    ASSERT_NE(it, stored.end());
    const RollupCell& got = it->second;
    EXPECT_EQ(got.requests, want.requests);
    EXPECT_EQ(got.errors, want.errors);
    EXPECT_EQ(got.input_tokens, want.input);
    EXPECT_EQ(got.output_tokens, want.output);
    EXPECT_EQ(got.cache_read_input_tokens, want.cache_read);
    EXPECT_EQ(got.reasoning_tokens, want.reasoning);
    EXPECT_EQ(got.total_tokens, want.total);
    EXPECT_EQ(got.input_cost_nanos, want.input_cost);
    EXPECT_EQ(got.cache_read_cost_nanos, want.cache_read_cost);
    EXPECT_EQ(got.output_cost_nanos, want.output_cost);
    EXPECT_EQ(got.total_cost_nanos, want.total_cost);
    EXPECT_EQ(got.latency_ns.Count(), want.latencies.size());
    auto& [sketch, latencies] = by_model[std::get<2>(key)];
    sketch.Merge(got.latency_ns);
    latencies.insert(latencies.end(), want.latencies.begin(), want.latencies.end());
  }

  // Quantiles over the whole range per model, as the metrics API answers them from cells.
  for (auto& [model, pair] : by_model) {
    auto& [sketch, latencies] = pair;
    std::sort(latencies.begin(), latencies.end());
    for (double q : {0.5, 0.9, 0.95, 0.99}) {
      const double exact = latencies[static_cast<size_t>(q * (latencies.size() - 1))];
      EXPECT_LE(std::abs(sketch.Quantile(q).value() - exact),
                (DDSketch::kRelativeAccuracy + 1e-9) * exact)
          << model << " q=" << q;
    }
  }
}

}  // namespace
}  // namespace tokenscope::rollup
