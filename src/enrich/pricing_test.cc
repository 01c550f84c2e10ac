#include "enrich/pricing.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <chrono>
#include <limits>
#include <string>
#include <thread>
#include <vector>

namespace tokenscope::enrich {
namespace {

constexpr int64_t kInt64Max = std::numeric_limits<int64_t>::max();
constexpr uint64_t kNanosPerSecond = 1'000'000'000;

// Unix nanoseconds at a UTC date and time.
uint64_t At(int year, unsigned month, unsigned day, int hour = 0, int minute = 0, int second = 0) {
  std::chrono::sys_days days{std::chrono::year(year) / std::chrono::month(month) /
                             std::chrono::day(day)};
  int64_t seconds = days.time_since_epoch().count() * 86400 + hour * 3600 + minute * 60 + second;
  return static_cast<uint64_t>(seconds) * kNanosPerSecond;
}

model::TokenUsage Usage(int64_t input, int64_t output, int64_t cache_read = 0,
                        int64_t cache_creation = 0) {
  model::TokenUsage usage;
  usage.input_tokens = input;
  usage.output_tokens = output;
  usage.cache_read_input_tokens = cache_read;
  usage.cache_creation_input_tokens = cache_creation;
  return usage;
}

PriceTable BuiltinTable() {
  StatusOr<PriceTable> table = PriceTable::Builtin();
  EXPECT_TRUE(table.ok()) << table.status().ToString();
  return table.ok() ? *table : PriceTable();
}

PriceTable LoadOrDie(std::string_view yaml) {
  StatusOr<PriceTable> table = PriceTable::Load(yaml);
  EXPECT_TRUE(table.ok()) << table.status().ToString();
  return table.ok() ? *table : PriceTable();
}

// The error message Load() gives for `yaml`, or "" when it loads.
std::string LoadError(std::string_view yaml) {
  StatusOr<PriceTable> table = PriceTable::Load(yaml);
  if (table.ok()) return "";
  EXPECT_EQ(table.status().code(), StatusCode::kInvalidArgument);
  return table.status().message();
}

std::string PriceIdOf(const PriceTable& table, std::string_view provider, std::string_view model,
                      uint64_t at) {
  const PriceEntry* entry = table.Find(provider, model, at);
  return entry == nullptr ? "<none>" : entry->price_id;
}

// ---------------------------------------------------------------------------------------------
// Exact decimals and rounding

TEST(ParseUsdPerMillionTest, ParsesExactDecimals) {
  EXPECT_EQ(*ParseUsdPerMillion("0.075"), 75'000'000);
  EXPECT_EQ(*ParseUsdPerMillion("15"), 15'000'000'000);
  EXPECT_EQ(*ParseUsdPerMillion("2.50"), 2'500'000'000);
  EXPECT_EQ(*ParseUsdPerMillion("0"), 0);
  EXPECT_EQ(*ParseUsdPerMillion("0.000000001"), 1);
  EXPECT_EQ(*ParseUsdPerMillion("0.10000000000000"), 100'000'000);  // zeros past the 9th place
  EXPECT_EQ(*ParseUsdPerMillion("007.5"), 7'500'000'000);
  EXPECT_EQ(*ParseUsdPerMillion("9223372036"), 9'223'372'036'000'000'000);
  EXPECT_EQ(*ParseUsdPerMillion("9223372036.854775807"), kInt64Max);
}

TEST(ParseUsdPerMillionTest, RejectsEverythingElse) {
  for (std::string_view text : {"",
                                "-1",
                                "-0.5",
                                "+1",
                                "1e-3",
                                "1E3",
                                "2.5e0",
                                ".5",
                                "5.",
                                "1.2.3",
                                "abc",
                                " 1",
                                "1 ",
                                "1,5",
                                "0x10",
                                "1_000",
                                "0.0000000001",
                                "9223372037",
                                "9223372036.854775808",
                                "99999999999999999999999"}) {
    EXPECT_FALSE(ParseUsdPerMillion(text).ok()) << text;
  }
  EXPECT_NE(ParseUsdPerMillion("1e-3").status().message().find("exponent"), std::string::npos);
  EXPECT_NE(ParseUsdPerMillion("-1").status().message().find("negative"), std::string::npos);
}

TEST(ParseUsdPerMillionTest, FormatRoundTrips) {
  EXPECT_EQ(FormatUsdPerMillion(75'000'000), "0.075");
  EXPECT_EQ(FormatUsdPerMillion(15'000'000'000), "15");
  EXPECT_EQ(FormatUsdPerMillion(2'500'000'000), "2.5");
  EXPECT_EQ(FormatUsdPerMillion(1), "0.000000001");
  EXPECT_EQ(FormatUsdPerMillion(0), "0");
  for (int64_t value : {int64_t{1}, int64_t{75'000'000}, int64_t{22'500'000'000}, kInt64Max}) {
    EXPECT_EQ(*ParseUsdPerMillion(FormatUsdPerMillion(value)), value);
  }
}

TEST(CostNanosTest, RoundsHalfUpPerPart) {
  // Prices with at most 3 decimals (all of the built-in ones) cost a whole number of nano-USD
  // per token: $0.075 per 1M tokens is 75 nano-USD per token.
  EXPECT_EQ(CostNanos(1, 75'000'000), 75);
  // Finer prices round: $0.000075 per 1M tokens is 0.075 nano-USD per token.
  EXPECT_EQ(CostNanos(1, 75'000), 0);                             // 0.075
  EXPECT_EQ(CostNanos(6, 75'000), 0);                             // 0.45
  EXPECT_EQ(CostNanos(7, 75'000), 1);                             // 0.525
  EXPECT_EQ(CostNanos(2, 250'000), 1);                            // 0.5 exactly: half up
  EXPECT_EQ(CostNanos(1, 499'999), 0);                            // 0.499999
  EXPECT_EQ(CostNanos(1, 500'000), 1);                            // 0.5
  EXPECT_EQ(CostNanos(1'000'000, 2'500'000'000), 2'500'000'000);  // 1M tokens at $2.50 = $2.50
  EXPECT_EQ(CostNanos(0, 2'500'000'000), 0);
  EXPECT_EQ(CostNanos(-5, 2'500'000'000), 0);
  EXPECT_EQ(CostNanos(5, -1), 0);
}

TEST(CostNanosTest, BigCountsDoNotOverflow) {
  // 10^12 tokens at $60 per 1M = $60,000,000 = 6e16 nano-USD.
  EXPECT_EQ(CostNanos(1'000'000'000'000, 60'000'000'000), 60'000'000'000'000'000);
  // 10^12 tokens at $0.075 per 1M = $75,000.
  EXPECT_EQ(CostNanos(1'000'000'000'000, 75'000'000), 75'000'000'000'000);
  // Products far beyond 64 bits saturate instead of wrapping.
  EXPECT_EQ(CostNanos(kInt64Max, kInt64Max), kInt64Max);
  EXPECT_EQ(CostNanos(kInt64Max, 1'000'000), kInt64Max);  // exactly INT64_MAX
  // (M x 999,999 + 500,000) / 10^6 = M - ceil((M - 500,000) / 10^6), M = INT64_MAX.
  EXPECT_EQ(CostNanos(kInt64Max, 999'999), kInt64Max - 9'223'372'036'855);
}

// ---------------------------------------------------------------------------------------------
// Costs from the built-in table, against hand-computed values

TEST(ComputeCostTest, Gpt4oWithCachedInput) {
  PriceTable table = BuiltinTable();
  // 10,000 input tokens of which 4,000 cached, 500 output, at $2.50 / $1.25 / $10 per 1M.
  auto cost = table.ComputeCost(Usage(10'000, 500, 4'000), "openai", "gpt-4o", At(2025, 1, 1));
  ASSERT_TRUE(cost.has_value());
  EXPECT_EQ(cost->input_nanos, 15'000'000);      // 6,000 x $2.50/1M = $0.015
  EXPECT_EQ(cost->cache_read_nanos, 5'000'000);  // 4,000 x $1.25/1M = $0.005
  EXPECT_EQ(cost->cache_creation_nanos, 0);
  EXPECT_EQ(cost->output_nanos, 5'000'000);  // 500 x $10/1M = $0.005
  EXPECT_EQ(cost->total_nanos, 25'000'000);
  EXPECT_EQ(cost->price_id, "openai/gpt-4o@2024-10-02");
}

TEST(ComputeCostTest, Gpt4oMini) {
  PriceTable table = BuiltinTable();
  // $0.15 / $0.075 cached / $0.60 per 1M: 1,000,001 uncached, 3 cached, 7 output.
  auto cost = table.ComputeCost(Usage(1'000'004, 7, 3), "openai", "gpt-4o-mini", At(2025, 1, 1));
  ASSERT_TRUE(cost.has_value());
  EXPECT_EQ(cost->input_nanos, 150'000'150);  // 150 nano-USD per token
  EXPECT_EQ(cost->cache_read_nanos, 225);     // 75 per token
  EXPECT_EQ(cost->output_nanos, 4'200);       // 600 per token
  EXPECT_EQ(cost->total_nanos, 150'004'575);
}

TEST(ComputeCostTest, TotalIsTheSumOfRoundedParts) {
  PriceTable table = LoadOrDie(R"(
prices:
  - provider: acme
    model: tiny
    effective_from: 2025-01-01
    input: 0.0001          # 0.1 nano-USD per token
    cache_read: 0.00005    # 0.05
    output: 0.0004         # 0.4
)");
  // 15 uncached (1.5 -> 2), 10 cached (0.5 -> 1), 3 output (1.2 -> 1): 4, not round(3.2) = 3.
  auto cost = table.ComputeCost(Usage(25, 3, 10), "acme", "tiny", At(2025, 1, 1));
  ASSERT_TRUE(cost.has_value());
  EXPECT_EQ(cost->input_nanos, 2);
  EXPECT_EQ(cost->cache_read_nanos, 1);
  EXPECT_EQ(cost->output_nanos, 1);
  EXPECT_EQ(cost->total_nanos, 4);
}

TEST(ComputeCostTest, AnthropicSonnetWithCacheReadAndWrite) {
  PriceTable table = BuiltinTable();
  // Canonical input includes the cache: 1,000 uncached + 20,000 read + 5,000 written.
  auto cost = table.ComputeCost(Usage(26'000, 800, 20'000, 5'000), "anthropic",
                                "claude-sonnet-4-5-20250929", At(2025, 10, 1));
  ASSERT_TRUE(cost.has_value());
  EXPECT_EQ(cost->input_nanos, 3'000'000);            // 1,000 x $3/1M
  EXPECT_EQ(cost->cache_read_nanos, 6'000'000);       // 20,000 x $0.30/1M
  EXPECT_EQ(cost->cache_creation_nanos, 18'750'000);  // 5,000 x $3.75/1M (1.25x input)
  EXPECT_EQ(cost->output_nanos, 12'000'000);          // 800 x $15/1M
  EXPECT_EQ(cost->total_nanos, 39'750'000);
  EXPECT_EQ(cost->price_id, "anthropic/claude-sonnet-4-5@2025-09-29");
}

TEST(ComputeCostTest, TierBoundaryIsStrictlyAbove) {
  PriceTable table = BuiltinTable();
  uint64_t at = At(2025, 10, 1);
  auto at_boundary = table.ComputeCost(Usage(200'000, 1'000), "anthropic", "claude-sonnet-4-5", at);
  ASSERT_TRUE(at_boundary.has_value());
  EXPECT_EQ(at_boundary->input_nanos, 600'000'000);  // 200,000 x $3/1M
  EXPECT_EQ(at_boundary->output_nanos, 15'000'000);  // 1,000 x $15/1M

  auto one_over = table.ComputeCost(Usage(200'001, 1'000), "anthropic", "claude-sonnet-4-5", at);
  ASSERT_TRUE(one_over.has_value());
  EXPECT_EQ(one_over->input_nanos, 1'200'006'000);  // 200,001 x $6/1M
  EXPECT_EQ(one_over->output_nanos, 22'500'000);    // 1,000 x $22.50/1M
  EXPECT_EQ(one_over->total_nanos, 1'222'506'000);
}

TEST(ComputeCostTest, TierCountsCachedInput) {
  PriceTable table = BuiltinTable();
  // 50,001 uncached + 150,000 cache read = 200,001 input: the long-context tier.
  auto cost = table.ComputeCost(Usage(200'001, 0, 150'000), "anthropic", "claude-sonnet-4-5",
                                At(2025, 10, 1));
  ASSERT_TRUE(cost.has_value());
  EXPECT_EQ(cost->input_nanos, 300'006'000);      // 50,001 x $6/1M
  EXPECT_EQ(cost->cache_read_nanos, 90'000'000);  // 150,000 x $0.60/1M
}

TEST(ComputeCostTest, GeminiProTier) {
  PriceTable table = BuiltinTable();
  uint64_t at = At(2025, 7, 1);
  auto base = table.ComputeCost(Usage(200'000, 100), "gcp.gemini", "gemini-2.5-pro", at);
  ASSERT_TRUE(base.has_value());
  EXPECT_EQ(base->input_nanos, 250'000'000);  // 200,000 x $1.25/1M
  EXPECT_EQ(base->output_nanos, 1'000'000);   // 100 x $10/1M
  auto tier = table.ComputeCost(Usage(200'001, 100), "gcp.gemini", "gemini-2.5-pro", at);
  ASSERT_TRUE(tier.has_value());
  EXPECT_EQ(tier->input_nanos, 500'002'500);  // 200,001 x $2.50/1M
  EXPECT_EQ(tier->output_nanos, 1'500'000);   // 100 x $15/1M
}

TEST(ComputeCostTest, ReasoningIsBilledInsideOutput) {
  PriceTable table = BuiltinTable();
  model::TokenUsage usage = Usage(1'000, 5'000);
  usage.reasoning_tokens = 4'000;  // already inside the 5,000 output tokens
  auto cost = table.ComputeCost(usage, "openai", "o4-mini", At(2025, 5, 1));
  ASSERT_TRUE(cost.has_value());
  EXPECT_EQ(cost->output_nanos, 22'000'000);  // 5,000 x $4.40/1M, not 9,000
  EXPECT_EQ(cost->input_nanos, 1'100'000);

  model::TokenUsage only_reasoning;
  only_reasoning.reasoning_tokens = 1'000;
  cost = table.ComputeCost(only_reasoning, "openai", "o4-mini", At(2025, 5, 1));
  ASSERT_TRUE(cost.has_value());
  EXPECT_EQ(cost->output_nanos, 4'400'000);
}

TEST(ComputeCostTest, InconsistentOrMissingCounts) {
  PriceTable table = BuiltinTable();
  uint64_t at = At(2025, 1, 1);
  // Cache counts above the input (a source that did not add them in): uncached clamps at 0.
  auto cost = table.ComputeCost(Usage(100, 0, 300), "openai", "gpt-4o", at);
  ASSERT_TRUE(cost.has_value());
  EXPECT_EQ(cost->input_nanos, 0);
  EXPECT_EQ(cost->cache_read_nanos, 375'000);  // 300 x $1.25/1M
  // Negative counts count as zero.
  cost = table.ComputeCost(Usage(-100, -5), "openai", "gpt-4o", at);
  ASSERT_TRUE(cost.has_value());
  EXPECT_EQ(cost->total_nanos, 0);
  // No token count at all: nothing to price.
  EXPECT_FALSE(table.ComputeCost(model::TokenUsage{}, "openai", "gpt-4o", at).has_value());
  // Only input (an embedding call).
  model::TokenUsage embedding;
  embedding.input_tokens = 1'000'000;
  cost = table.ComputeCost(embedding, "openai", "text-embedding-3-small", at);
  ASSERT_TRUE(cost.has_value());
  EXPECT_EQ(cost->total_nanos, 20'000'000);  // $0.02
}

TEST(ComputeCostTest, BigTokenCounts) {
  PriceTable table = BuiltinTable();
  // 10^12 input, 10^12 output on Claude Opus 4: $15M + $75M.
  auto cost = table.ComputeCost(Usage(1'000'000'000'000, 1'000'000'000'000), "anthropic",
                                "claude-opus-4-20250514", At(2025, 6, 1));
  ASSERT_TRUE(cost.has_value());
  EXPECT_EQ(cost->input_nanos, 15'000'000'000'000'000);
  EXPECT_EQ(cost->output_nanos, 75'000'000'000'000'000);
  EXPECT_EQ(cost->total_nanos, 90'000'000'000'000'000);
  // Absurd counts saturate rather than wrap.
  cost = table.ComputeCost(Usage(kInt64Max, kInt64Max, kInt64Max, kInt64Max), "anthropic",
                           "claude-opus-4", At(2025, 6, 1));
  ASSERT_TRUE(cost.has_value());
  EXPECT_EQ(cost->total_nanos, kInt64Max);
  EXPECT_GE(cost->input_nanos, 0);
}

TEST(ComputeCostTest, UnknownModelHasNoCost) {
  PriceTable table = BuiltinTable();
  uint64_t at = At(2025, 10, 1);
  EXPECT_FALSE(table.ComputeCost(Usage(10, 10), "openai", "gpt-unknown", at).has_value());
  EXPECT_FALSE(table.ComputeCost(Usage(10, 10), "openai", "", at).has_value());
  EXPECT_FALSE(table.ComputeCost(Usage(10, 10), "acme", "gpt-4o", at).has_value());
  EXPECT_EQ(table.Find("openai", "gpt-4o-audio-preview", at), nullptr);
  EXPECT_EQ(table.Find("openai", "chatgpt-4o-latest", at), nullptr);
  EXPECT_EQ(table.Find("anthropic", "gpt-4o", at), nullptr);
}

// ---------------------------------------------------------------------------------------------
// Matching

TEST(FindTest, PriceInForceAtTheSpanStart) {
  PriceTable table = BuiltinTable();
  // o3: $10/$40 from 2025-04-16, $2/$8 from 2025-06-10.
  EXPECT_EQ(PriceIdOf(table, "openai", "o3", At(2025, 4, 15, 23, 59, 59)), "<none>");
  EXPECT_EQ(PriceIdOf(table, "openai", "o3", At(2025, 4, 16)), "openai/o3@2025-04-16");
  EXPECT_EQ(PriceIdOf(table, "openai", "o3", At(2025, 6, 10) - 1), "openai/o3@2025-04-16");
  EXPECT_EQ(PriceIdOf(table, "openai", "o3", At(2025, 6, 10)), "openai/o3@2025-06-10");
  auto before = table.ComputeCost(Usage(1'000, 1'000), "openai", "o3", At(2025, 5, 1));
  auto after = table.ComputeCost(Usage(1'000, 1'000), "openai", "o3", At(2025, 7, 1));
  ASSERT_TRUE(before.has_value() && after.has_value());
  EXPECT_EQ(before->total_nanos, 50'000'000);  // $0.01 + $0.04
  EXPECT_EQ(after->total_nanos, 10'000'000);   // $0.002 + $0.008

  // A change at a time of day: DeepSeek's 2025-09-05 16:00 UTC.
  EXPECT_EQ(PriceIdOf(table, "deepseek", "deepseek-chat", At(2025, 9, 5, 15, 59, 59)),
            "deepseek/deepseek-chat@2025-02-09");
  EXPECT_EQ(PriceIdOf(table, "deepseek", "deepseek-chat", At(2025, 9, 5, 16)),
            "deepseek/deepseek-chat@2025-09-05T16:00:00Z");
  EXPECT_EQ(PriceIdOf(table, "deepseek", "deepseek-chat", At(2025, 10, 1)),
            "deepseek/deepseek-chat@2025-09-29");

  // Sonnet 4 gained the long-context tier on 2025-08-12.
  EXPECT_EQ(table.Find("anthropic", "claude-sonnet-4-20250514", At(2025, 6, 1))->tiers.size(), 0u);
  EXPECT_EQ(table.Find("anthropic", "claude-sonnet-4-20250514", At(2025, 9, 1))->tiers.size(), 1u);
}

TEST(FindTest, ModelNameVariants) {
  PriceTable table = BuiltinTable();
  uint64_t at = At(2025, 10, 1);
  for (std::string_view name :
       {"gpt-4o", "GPT-4o", "gpt-4o-2024-11-20", "openai/gpt-4o", "OpenAI/GPT-4O-2024-11-20"}) {
    EXPECT_EQ(PriceIdOf(table, "openai", name, at), "openai/gpt-4o@2024-10-02") << name;
  }
  // A prefixed name routed through an aggregator: the prefix names the provider.
  EXPECT_EQ(PriceIdOf(table, "openrouter", "openai/gpt-4o", at), "openai/gpt-4o@2024-10-02");
  // Unknown provider: the model name decides.
  EXPECT_EQ(PriceIdOf(table, "", "gpt-4.1-mini-2025-04-14", at), "openai/gpt-4.1-mini@2025-04-14");
  // Similar names stay apart.
  EXPECT_EQ(PriceIdOf(table, "openai", "gpt-4o-mini-2024-07-18", at),
            "openai/gpt-4o-mini@2024-07-18");
  EXPECT_EQ(PriceIdOf(table, "openai", "gpt-4.1-nano", at), "openai/gpt-4.1-nano@2025-04-14");
  EXPECT_EQ(PriceIdOf(table, "openai", "o3-mini-2025-01-31", at), "openai/o3-mini@2025-01-31");
  EXPECT_EQ(PriceIdOf(table, "openai", "gpt-5-chat-latest", at), "openai/gpt-5@2025-08-07");
  EXPECT_EQ(PriceIdOf(table, "openai", "gpt-5-mini-2025-08-07", at),
            "openai/gpt-5-mini@2025-08-07");
  EXPECT_EQ(PriceIdOf(table, "anthropic", "claude-opus-4-1-20250805", at),
            "anthropic/claude-opus-4-1@2025-08-05");
  EXPECT_EQ(PriceIdOf(table, "anthropic", "claude-opus-4-20250514", at),
            "anthropic/claude-opus-4@2025-05-22");
  EXPECT_EQ(PriceIdOf(table, "anthropic", "claude-sonnet-4-0", at),
            "anthropic/claude-sonnet-4@2025-08-12");
  EXPECT_EQ(PriceIdOf(table, "anthropic", "claude-3-5-haiku-latest", at),
            "anthropic/claude-3-5-haiku@2024-11-04");
  EXPECT_EQ(PriceIdOf(table, "anthropic", "anthropic/claude-sonnet-4.5", at),
            "anthropic/claude-sonnet-4-5@2025-09-29");
  EXPECT_EQ(PriceIdOf(table, "anthropic", "claude-haiku-4-5-20251001", At(2025, 11, 1)),
            "anthropic/claude-haiku-4-5@2025-10-15");
  EXPECT_EQ(PriceIdOf(table, "gcp.vertex_ai", "publishers/google/models/gemini-2.5-flash", at),
            "gcp.gemini/gemini-2.5-flash@2025-06-17");
  EXPECT_EQ(PriceIdOf(table, "gcp.gemini", "models/gemini-2.5-flash-lite", at),
            "gcp.gemini/gemini-2.5-flash-lite@2025-07-22");
  EXPECT_EQ(PriceIdOf(table, "gcp.gemini", "gemini-2.0-flash-001", at),
            "gcp.gemini/gemini-2.0-flash@2025-02-05");
  EXPECT_EQ(PriceIdOf(table, "mistral_ai", "mistral-large-2411", at),
            "mistral_ai/mistral-large@2024-11-18");
  EXPECT_EQ(PriceIdOf(table, "mistral_ai", "mistral-small-latest", at),
            "mistral_ai/mistral-small@2025-03-17");
  EXPECT_EQ(PriceIdOf(table, "together", "meta-llama/Llama-3.3-70B-Instruct-Turbo", at),
            "together/Llama-3.3-70B-Instruct-Turbo@2025-01-01");
  EXPECT_EQ(PriceIdOf(table, "groq", "qwen/qwen3-32b", at), "groq/qwen3-32b@2025-06-01");
  // Not a version suffix: a different model.
  EXPECT_EQ(PriceIdOf(table, "openai", "gpt-4o-search-preview", at), "<none>");
  EXPECT_EQ(PriceIdOf(table, "anthropic", "claude-sonnet-4-5x", at), "<none>");
}

TEST(FindTest, ExactNameBeatsPattern) {
  PriceTable table = BuiltinTable();
  // gpt-4o-2024-05-13 kept its launch price after the gpt-4o alias moved on.
  auto cost = table.ComputeCost(Usage(1'000'000, 0), "openai", "gpt-4o-2024-05-13", At(2025, 1, 1));
  ASSERT_TRUE(cost.has_value());
  EXPECT_EQ(cost->price_id, "openai/gpt-4o-2024-05-13@2024-05-13");
  EXPECT_EQ(cost->input_nanos, 5'000'000'000);
  // Before the alias moved, gpt-4o-2024-08-06 already had its own price.
  EXPECT_EQ(PriceIdOf(table, "openai", "gpt-4o-2024-08-06", At(2024, 9, 1)),
            "openai/gpt-4o-2024-08-06@2024-08-06");
  EXPECT_EQ(PriceIdOf(table, "openai", "gpt-4o", At(2024, 9, 1)), "openai/gpt-4o@2024-05-13");
}

TEST(FindTest, RankingRulesWithinOneDocument) {
  PriceTable table = LoadOrDie(R"(
prices:
  - {provider: acme, model: any, match: '.*', effective_from: 2025-01-01, input: 1, output: 1}
  - {provider: acme, model: big, match: 'big-.*', effective_from: 2025-01-01, input: 2, output: 2}
  - {provider: acme, model: big-one, effective_from: 2025-01-01, input: 3, output: 3}
  - {provider: acme, model: big-one-x, match: 'big-one-.', effective_from: 2025-03-01,
     input: 4, output: 4}
  - {provider: acme, model: twin-a, match: 'twin.*', effective_from: 2025-01-01, input: 5,
     output: 5}
  - {provider: acme, model: twin-b, match: 'twin.*', effective_from: 2025-01-01, input: 6,
     output: 6}
)");
  uint64_t at = At(2025, 6, 1);
  EXPECT_EQ(PriceIdOf(table, "acme", "zzz", at), "acme/any@2025-01-01");
  EXPECT_EQ(PriceIdOf(table, "acme", "big-two", at), "acme/big@2025-01-01");      // longer pattern
  EXPECT_EQ(PriceIdOf(table, "acme", "big-one", at), "acme/big-one@2025-01-01");  // exact name
  EXPECT_EQ(PriceIdOf(table, "acme", "big-one-2", at), "acme/big-one-x@2025-03-01");
  EXPECT_EQ(PriceIdOf(table, "acme", "big-one-2", At(2025, 2, 1)), "acme/big@2025-01-01");
  EXPECT_EQ(PriceIdOf(table, "acme", "twinq", at), "acme/twin-a@2025-01-01");   // first in file
  EXPECT_EQ(PriceIdOf(table, "acme", "twin-b", at), "acme/twin-b@2025-01-01");  // exact name
}

// ---------------------------------------------------------------------------------------------
// Overrides

constexpr std::string_view kOverrides = R"(
prices:
  # A negotiated gpt-4o price, in force for all of the model's history.
  - provider: openai
    model: gpt-4o
    effective_from: 2024-01-01
    source: contract 2024-17
    input: 2.00
    cache_read: 0.20
    output: 8.00
  # Replaces the built-in entry with the same price id.
  - provider: openai
    model: o3
    effective_from: 2025-06-10
    input: 1.00
    output: 4.00
  # A model the built-in table does not know.
  - provider: [openai, azure.ai.openai]
    model: ft-support-bot
    match: 'ft:gpt-4o-mini:acme::[a-z0-9]+'
    effective_from: 2025-01-01
    input: 0.30
    output: 1.20
)";

TEST(MergeTest, OverridesWin) {
  PriceTable table = BuiltinTable();
  size_t builtin_size = table.size();
  PriceTable overrides = LoadOrDie(kOverrides);
  ASSERT_TRUE(table.Merge(overrides).ok());
  EXPECT_EQ(table.size(), builtin_size + 2);  // o3@2025-06-10 was replaced

  uint64_t at = At(2025, 10, 1);
  auto cost = table.ComputeCost(Usage(10'000, 500, 4'000), "openai", "gpt-4o", at);
  ASSERT_TRUE(cost.has_value());
  EXPECT_EQ(cost->price_id, "openai/gpt-4o@2024-01-01");
  EXPECT_EQ(cost->input_nanos, 12'000'000);    // 6,000 x $2/1M
  EXPECT_EQ(cost->cache_read_nanos, 800'000);  // 4,000 x $0.20/1M
  EXPECT_EQ(cost->output_nanos, 4'000'000);    // 500 x $8/1M
  // The override applies to the dated snapshots too, even those with built-in entries.
  EXPECT_EQ(PriceIdOf(table, "openai", "gpt-4o-2024-05-13", at), "openai/gpt-4o@2024-01-01");
  // Built-in price history for a model the override does not cover is unchanged ...
  EXPECT_EQ(PriceIdOf(table, "openai", "o3", At(2025, 5, 1)), "openai/o3@2025-04-16");
  // ... and the replaced entry carries the override's rates.
  const PriceEntry* o3 = table.Find("openai", "o3", at);
  ASSERT_NE(o3, nullptr);
  EXPECT_EQ(o3->base.input, 1'000'000'000);
  EXPECT_EQ(PriceIdOf(table, "azure.ai.openai", "ft:gpt-4o-mini:acme::abc123", at),
            "openai/ft-support-bot@2025-01-01");
  // Other built-ins are untouched.
  EXPECT_EQ(PriceIdOf(table, "openai", "gpt-4o-mini", at), "openai/gpt-4o-mini@2024-07-18");
}

TEST(MergeTest, LaterMergesWinOverEarlierOnes) {
  PriceTable table = BuiltinTable();
  ASSERT_TRUE(table.Merge(LoadOrDie(kOverrides)).ok());
  ASSERT_TRUE(table
                  .Merge(LoadOrDie(R"(
prices:
  - {provider: openai, model: gpt-4o, match: 'gpt-4o.*', effective_from: 2020-01-01,
     input: 1, output: 1}
)"))
                  .ok());
  EXPECT_EQ(PriceIdOf(table, "openai", "gpt-4o", At(2025, 1, 1)), "openai/gpt-4o@2020-01-01");
  EXPECT_EQ(PriceIdOf(table, "openai", "gpt-4o-mini", At(2025, 1, 1)), "openai/gpt-4o@2020-01-01");
}

TEST(MergeTest, CopiesAreIndependent) {
  PriceTable base = BuiltinTable();
  PriceTable copy = base;
  ASSERT_TRUE(copy.Merge(LoadOrDie(kOverrides)).ok());
  EXPECT_EQ(PriceIdOf(base, "openai", "gpt-4o", At(2025, 1, 1)), "openai/gpt-4o@2024-10-02");
  EXPECT_EQ(PriceIdOf(copy, "openai", "gpt-4o", At(2025, 1, 1)), "openai/gpt-4o@2024-01-01");
  PriceTable empty;
  ASSERT_TRUE(empty.Merge(base).ok());
  EXPECT_EQ(empty.size(), base.size());
}

// ---------------------------------------------------------------------------------------------
// Validation

TEST(LoadTest, AcceptsTheDocumentedForms) {
  PriceTable table = LoadOrDie(R"(
prices:
  - provider: [gcp.gemini, GCP.Vertex_AI]
    model: m
    effective_from: "2025-09-05T16:00:00Z"
    source: test
    input: "0.075"
    cache_read: 0.01
    cache_creation: 0.1
    output: 1
    tiers:
      - above_input_tokens: 1000
        input: 0.2
        output: 2
      - above_input_tokens: 2000
        input: 0.3
        output: 3
)");
  ASSERT_EQ(table.size(), 1u);
  const PriceEntry& entry = *table.entries()[0];
  EXPECT_EQ(entry.providers, (std::vector<std::string>{"gcp.gemini", "gcp.vertex_ai"}));
  EXPECT_EQ(entry.effective_from_unix_nano, At(2025, 9, 5, 16));
  EXPECT_EQ(entry.price_id, "gcp.gemini/m@2025-09-05T16:00:00Z");
  EXPECT_EQ(entry.base.input, 75'000'000);
  EXPECT_EQ(entry.RatesFor(1000).input, 75'000'000);
  EXPECT_EQ(entry.RatesFor(1001).input, 200'000'000);
  EXPECT_EQ(entry.RatesFor(2001).input, 300'000'000);
  // A tier without cache prices bills cache tokens at its own input rate.
  EXPECT_EQ(entry.RatesFor(2001).cache_read_or_input(), 300'000'000);
  EXPECT_TRUE(PriceTable::Load("prices: []").ok());
}

TEST(LoadTest, RejectsMalformedYaml) {
  std::string error = LoadError("prices: [\n  {provider: openai,");
  EXPECT_NE(error.find("line "), std::string::npos) << error;
  EXPECT_NE(LoadError("").find("expected a mapping"), std::string::npos);
  EXPECT_NE(LoadError("- a\n- b\n").find("expected a mapping"), std::string::npos);
  EXPECT_NE(LoadError("prices: 3").find("expected a list"), std::string::npos);
  EXPECT_NE(LoadError("{}").find("missing required field \"prices\""), std::string::npos);
  EXPECT_NE(LoadError("prices: []\nversion: 2").find("unknown key \"version\""), std::string::npos);
  EXPECT_NE(LoadError("prices: [3]").find("prices[0]: expected a mapping"), std::string::npos);
}

// One valid entry with `input` as its input line and `extra` lines appended.
std::string EntryWith(std::string_view extra, std::string_view input = "input: 1") {
  return fmt::format(
      "prices:\n"
      "  - provider: openai\n"
      "    model: gpt-x\n"
      "    effective_from: 2025-01-01\n"
      "    {}\n"
      "    output: 2\n"
      "{}",
      input, extra);
}

struct BadEntry {
  std::string yaml;
  std::vector<std::string> expected;  // substrings of the error message
};

TEST(LoadTest, EachValidationErrorNamesEntryAndField) {
  std::vector<BadEntry> cases = {
      {EntryWith("    inptu: 3\n"),
       {"prices[0] (openai/gpt-x)", "unknown key \"inptu\"", "line 7"}},
      {EntryWith("", "input: -1"), {"prices[0] (openai/gpt-x): input", "negative"}},
      {EntryWith("", "input: 1e-3"), {"input", "exponent"}},
      {EntryWith("", "input: cheap"), {"input", "not a price"}},
      {EntryWith("", "input: [1]"), {"input", "got a list"}},
      {EntryWith("", "cache_read: 1"), {"missing required field \"input\""}},
      {EntryWith("    cache_read: -0.5\n"), {"cache_read", "negative"}},
      {EntryWith("    cache_creation: 1.0000000001\n"), {"cache_creation", "9 decimal places"}},
      {EntryWith("    match: 'gpt-(x'\n"), {"prices[0] (openai/gpt-x): match", "bad regex"}},
      {EntryWith("    match: '^gpt-x$'\n"), {"match", "anchored"}},
      {EntryWith("    match: ''\n"), {"match", "non-empty"}},
      {EntryWith("    input: 3\n"), {"duplicate key \"input\""}},
      {EntryWith("    tiers:\n"
                 "      - {above_input_tokens: 200000, input: 2, output: 3}\n"
                 "      - {above_input_tokens: 200000, input: 4, output: 5}\n"),
       {"tiers[1]: above_input_tokens", "tiers overlap"}},
      {EntryWith("    tiers:\n"
                 "      - {above_input_tokens: 300000, input: 2, output: 3}\n"
                 "      - {above_input_tokens: 200000, input: 4, output: 5}\n"),
       {"tiers overlap", "ascending"}},
      {EntryWith("    tiers:\n      - {above_input_tokens: 0, input: 2, output: 3}\n"),
       {"above_input_tokens", "positive"}},
      {EntryWith("    tiers:\n      - {above_input_tokens: 10, input: 2}\n"),
       {"tiers[0]", "missing required field \"output\""}},
      {EntryWith("    tiers:\n      - {above_input_tokens: 10, input: 2, output: 3, x: 1}\n"),
       {"tiers[0]", "unknown key \"x\""}},
      {EntryWith("    tiers: {above_input_tokens: 10}\n"), {"tiers", "expected a list"}},
      {"prices:\n  - {provider: openai, model: m, effective_from: 2025-02-30, input: 1, "
       "output: 1}\n",
       {"prices[0] (openai/m): effective_from", "not a date"}},
      {"prices:\n  - {provider: openai, model: m, effective_from: 2025/01/01, input: 1, "
       "output: 1}\n",
       {"effective_from", "not a date"}},
      {"prices:\n  - {provider: openai, model: m, input: 1, output: 1}\n",
       {"missing required field \"effective_from\""}},
      {"prices:\n  - {provider: openai, effective_from: 2025-01-01, input: 1, output: 1}\n",
       {"prices[0]", "missing required field \"model\""}},
      {"prices:\n  - {provider: [], model: m, effective_from: 2025-01-01, input: 1, output: 1}\n",
       {"provider", "empty"}},
      {"prices:\n  - {provider: '', model: m, effective_from: 2025-01-01, input: 1, output: 1}\n",
       {"provider", "non-empty"}},
      {"prices:\n  - {provider: a, model: m, effective_from: 2025-01-01, input: 1, output: 1}\n"
       "  - {provider: a, model: m, effective_from: 2025-01-01, input: 2, output: 2}\n",
       {"prices[1] (a/m)", "duplicate price id \"a/m@2025-01-01\""}},
  };
  for (const BadEntry& c : cases) {
    std::string error = LoadError(c.yaml);
    ASSERT_FALSE(error.empty()) << c.yaml;
    for (const std::string& part : c.expected) {
      EXPECT_NE(error.find(part), std::string::npos) << "error: " << error << "\nyaml:\n" << c.yaml;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// The shipped table

TEST(BuiltinTest, LoadsAndEveryEntryIsFoundByItsOwnName) {
  PriceTable table = BuiltinTable();
  ASSERT_GT(table.size(), 40u);
  EXPECT_FALSE(BuiltinPriceYaml().empty());
  for (const PriceEntry* entry : table.entries()) {
    SCOPED_TRACE(entry->price_id);
    EXPECT_FALSE(entry->source.empty());
    EXPECT_GT(entry->base.input, 0);
    EXPECT_LT(entry->base.input, 100'000'000'000);  // below $100 per 1M: a typo guard
    EXPECT_LT(entry->base.output, 100'000'000'000);
    if (entry->base.cache_read) {
      EXPECT_LT(*entry->base.cache_read, entry->base.input);
    }
    for (const std::string& provider : entry->providers) {
      const PriceEntry* found = table.Find(provider, entry->model, entry->effective_from_unix_nano);
      ASSERT_NE(found, nullptr) << provider;
      EXPECT_EQ(found->price_id, entry->price_id) << provider;
    }
  }
}

TEST(BuiltinTest, AnthropicCacheWriteIsOneAndAQuarterInput) {
  PriceTable table = BuiltinTable();
  for (const PriceEntry* entry : table.entries()) {
    if (entry->providers.front() != "anthropic") continue;
    SCOPED_TRACE(entry->price_id);
    ASSERT_TRUE(entry->base.cache_creation.has_value());
    EXPECT_EQ(*entry->base.cache_creation * 4, entry->base.input * 5);
    EXPECT_EQ(*entry->base.cache_read * 10, entry->base.input);
    for (const PriceTier& tier : entry->tiers) {
      EXPECT_EQ(*tier.rates.cache_creation * 4, tier.rates.input * 5);
    }
  }
}

TEST(BuiltinTest, ConcurrentLookups) {
  PriceTable table = BuiltinTable();
  std::vector<std::thread> threads;
  std::vector<int64_t> totals(4, 0);
  for (size_t t = 0; t < totals.size(); ++t) {
    threads.emplace_back([&table, &totals, t] {
      for (int i = 0; i < 2000; ++i) {
        auto cost =
            table.ComputeCost(Usage(10'000, 500, 4'000), "openai",
                              i % 2 ? "gpt-4o-2024-11-20" : "openai/gpt-4o", At(2025, 1, 1));
        if (cost) totals[t] += cost->total_nanos;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (int64_t total : totals) EXPECT_EQ(total, int64_t{2000} * 25'000'000);
}

}  // namespace
}  // namespace tokenscope::enrich
