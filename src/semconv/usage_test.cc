#include "semconv/usage.h"

#include <gtest/gtest.h>

#include <limits>

namespace tokenscope::semconv::internal {
namespace {

model::TokenUsage Usage(std::optional<int64_t> input, std::optional<int64_t> output,
                        std::optional<int64_t> read, std::optional<int64_t> write,
                        std::optional<int64_t> total = std::nullopt) {
  model::TokenUsage u;
  u.input_tokens = input;
  u.output_tokens = output;
  u.cache_read_input_tokens = read;
  u.cache_creation_input_tokens = write;
  u.total_tokens = total;
  return u;
}

TEST(CanonicalizeUsageTest, InclusiveStaysAsIs) {
  model::TokenUsage u = Usage(1500, 10, 1000, 200, 1510);
  CanonicalizeUsage(InputTokenMode::kInclusive, "anthropic", &u);
  EXPECT_EQ(u.input_tokens, 1500);
  EXPECT_EQ(u.total_tokens, 1510);
}

TEST(CanonicalizeUsageTest, ExclusiveIfAnthropic) {
  model::TokenUsage u = Usage(3000, 10, 1000, 200, 3010);
  CanonicalizeUsage(InputTokenMode::kExclusiveIfAnthropic, "anthropic", &u);
  EXPECT_EQ(u.input_tokens, 4200);
  EXPECT_EQ(u.total_tokens, 4210);  // recomputed: the reported total used the raw count

  u = Usage(3000, 10, 1000, std::nullopt, 3010);
  CanonicalizeUsage(InputTokenMode::kExclusiveIfAnthropic, "openai", &u);
  EXPECT_EQ(u.input_tokens, 3000);
  EXPECT_EQ(u.total_tokens, 3010);
}

TEST(CanonicalizeUsageTest, ImpossibleInclusiveCountIsExclusive) {
  model::TokenUsage u = Usage(5, 10, 1000, std::nullopt);
  CanonicalizeUsage(InputTokenMode::kInclusive, "", &u);
  EXPECT_EQ(u.input_tokens, 1005);
  EXPECT_EQ(u.total_tokens, 1015);

  // A total that does not match either reading is the instrumentation's and is kept.
  u = Usage(5, 10, 1000, std::nullopt, 9999);
  CanonicalizeUsage(InputTokenMode::kInclusive, "", &u);
  EXPECT_EQ(u.input_tokens, 1005);
  EXPECT_EQ(u.total_tokens, 9999);
}

TEST(CanonicalizeUsageTest, NoCacheOrNoInputChangesNothing) {
  model::TokenUsage u = Usage(5, 10, 0, 0);
  CanonicalizeUsage(InputTokenMode::kExclusiveIfAnthropic, "anthropic", &u);
  EXPECT_EQ(u.input_tokens, 5);
  u = Usage(std::nullopt, 10, 100, std::nullopt);
  CanonicalizeUsage(InputTokenMode::kExclusiveIfAnthropic, "anthropic", &u);
  EXPECT_EQ(u.input_tokens, std::nullopt);
}

TEST(CanonicalizeUsageTest, Saturates) {
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  model::TokenUsage u = Usage(1, kMax, kMax, kMax);
  CanonicalizeUsage(InputTokenMode::kInclusive, "", &u);
  EXPECT_EQ(u.input_tokens, kMax);
  EXPECT_EQ(u.total_tokens, kMax);
}

TEST(FillTotalTest, OnlyWhenMissing) {
  model::TokenUsage u = Usage(3, 4, std::nullopt, std::nullopt);
  FillTotal(&u);
  EXPECT_EQ(u.total_tokens, 7);
  u = Usage(3, 4, std::nullopt, std::nullopt, 100);
  FillTotal(&u);
  EXPECT_EQ(u.total_tokens, 100);
  u = Usage(3, std::nullopt, std::nullopt, std::nullopt);
  FillTotal(&u);
  EXPECT_EQ(u.total_tokens, std::nullopt);
}

}  // namespace
}  // namespace tokenscope::semconv::internal
