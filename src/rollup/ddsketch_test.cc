#include "rollup/ddsketch.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <functional>
#include <limits>
#include <random>
#include <string>
#include <vector>

namespace tokenscope::rollup {
namespace {

constexpr double kMs = 1e6;  // nanoseconds
// The bucket estimate is within α of every value of its bucket; floating point in the
// logarithm may put a value on a bucket edge one bucket off, which costs ~1e-15 more.
constexpr double kTolerance = DDSketch::kRelativeAccuracy + 1e-9;
constexpr size_t kSamples = 1'000'000;

std::vector<double> Draw(size_t n, uint64_t seed,
                         const std::function<double(std::mt19937_64&)>& f) {
  std::mt19937_64 rng(seed);
  std::vector<double> values(n);
  for (double& v : values) v = std::max(0.0, std::round(f(rng)));  // whole nanoseconds
  return values;
}

double ExactQuantile(const std::vector<double>& sorted, double q) {
  return sorted[static_cast<size_t>(q * static_cast<double>(sorted.size() - 1))];
}

struct Distribution {
  const char* name;
  std::function<double(std::mt19937_64&)> draw;
};

std::vector<Distribution> Distributions() {
  return {
      {"uniform",
       [](std::mt19937_64& r) {
         return std::uniform_real_distribution<double>(kMs, 10e3 * kMs)(r);
       }},
      {"exponential",
       [](std::mt19937_64& r) {
         return std::exponential_distribution<double>(1 / (500 * kMs))(r);
       }},
      {"lognormal",
       [](std::mt19937_64& r) {
         return std::lognormal_distribution<double>(std::log(800 * kMs), 1.0)(r);
       }},
      {"pareto",
       [](std::mt19937_64& r) {
         // x_m / U^(1/α) with α = 1.2: a heavy tail (infinite variance).
         const double u = std::uniform_real_distribution<double>(0, 1)(r);
         return 100 * kMs / std::pow(1 - u, 1 / 1.2);
       }},
      {"bimodal",
       [](std::mt19937_64& r) {
         const bool fast = std::bernoulli_distribution(0.7)(r);
         return fast ? std::normal_distribution<double>(200 * kMs, 20 * kMs)(r)
                     : std::normal_distribution<double>(3000 * kMs, 300 * kMs)(r);
       }},
  };
}

TEST(DDSketchTest, QuantilesWithinOnePercentOnMillionSamples) {
  uint64_t seed = 1;
  for (const Distribution& d : Distributions()) {
    SCOPED_TRACE(d.name);
    std::vector<double> values = Draw(kSamples, seed++, d.draw);
    DDSketch sketch;
    for (double v : values) sketch.Add(v);
    std::sort(values.begin(), values.end());
    for (double q : {0.5, 0.9, 0.95, 0.99, 0.999}) {
      const double exact = ExactQuantile(values, q);
      const double got = sketch.Quantile(q).value();
      EXPECT_LE(std::abs(got - exact), kTolerance * exact) << "q=" << q;
    }
    EXPECT_EQ(sketch.Count(), kSamples);
    EXPECT_EQ(sketch.Min(), values.front());
    EXPECT_EQ(sketch.Max(), values.back());
    EXPECT_EQ(sketch.Quantile(0).value(), values.front());
    EXPECT_EQ(sketch.Quantile(1).value(), values.back());
    EXPECT_LE(sketch.bucket_span(), DDSketch::kMaxBuckets);
  }
}

// A quantile is the estimate of the bucket holding the sample of rank q*(n-1) (rounded down),
// whichever end of the sketch the search starts from.
TEST(DDSketchTest, QuantileIsTheBucketOfTheRankedSample) {
  // The estimate of one value: the middle of {0, v, huge} is neither extreme, so it is v's
  // bucket estimate (or 0 for the zero bucket).
  auto estimate = [](double v) {
    DDSketch one;
    for (double x : {0.0, v, 1e15}) one.Add(x);
    return one.Quantile(0.5).value();
  };
  std::mt19937_64 random(11);
  for (int round = 0; round < 200; ++round) {
    std::vector<double> values;
    const int n = 2 + static_cast<int>(random() % 40);
    for (int i = 0; i < n; ++i) {
      const int pick = static_cast<int>(random() % 6);
      values.push_back(pick == 0 ? 0.0 : std::pow(10.0, static_cast<double>(pick)) * kMs);
    }
    DDSketch sketch;
    for (double v : values) sketch.Add(v);
    std::sort(values.begin(), values.end());
    std::vector<double> qs;  // a grid, and every q whose rank is a whole number
    for (double q = 0.01; q < 1; q += 0.01) qs.push_back(q);
    for (int k = 1; k < n - 1; ++k) qs.push_back(static_cast<double>(k) / (n - 1));
    for (double q : qs) {
      const double rank = q * static_cast<double>(n - 1);
      if (rank <= 0 || rank >= n - 1) continue;  // the extremes are exact, tested elsewhere
      const double v = values[static_cast<size_t>(rank)];
      const double want = std::clamp(estimate(v), values.front(), values.back());
      EXPECT_EQ(sketch.Quantile(q).value(), want) << "q=" << q << " n=" << n;
    }
  }
}

TEST(DDSketchTest, MergeEqualsSketchOfUnion) {
  std::vector<double> values = Draw(200'000, 7, Distributions()[2].draw);
  DDSketch whole;
  for (double v : values) whole.Add(v);
  // Four shards merged in two different orders and groupings.
  DDSketch shards[4];
  for (size_t i = 0; i < values.size(); ++i) shards[i % 4].Add(values[i]);
  DDSketch left = shards[0];
  left.Merge(shards[1]);
  DDSketch right = shards[2];
  right.Merge(shards[3]);
  left.Merge(right);
  DDSketch reversed = shards[3];
  for (int i = 2; i >= 0; --i) reversed.Merge(shards[i]);
  EXPECT_EQ(left, whole);
  EXPECT_EQ(reversed, whole);
  EXPECT_EQ(left.Serialize(), whole.Serialize());
}

TEST(DDSketchTest, MergeWithEmptyAndZeroOnlySketches) {
  DDSketch a;
  a.Add(5 * kMs);
  DDSketch empty;
  DDSketch b = a;
  b.Merge(empty);
  EXPECT_EQ(b, a);
  empty.Merge(a);
  EXPECT_EQ(empty, a);
  DDSketch zeros;
  zeros.Add(0, 3);
  zeros.Merge(a);
  EXPECT_EQ(zeros.Count(), 4u);
  EXPECT_EQ(zeros.zero_count(), 3u);
  EXPECT_EQ(zeros.Quantile(0.5).value(), 0);
  EXPECT_EQ(zeros.Quantile(1).value(), 5 * kMs);
}

TEST(DDSketchTest, AddWithCountEqualsRepeatedAdds) {
  DDSketch once;
  once.Add(123456, 1000);
  DDSketch many;
  for (int i = 0; i < 1000; ++i) many.Add(123456);
  EXPECT_EQ(once, many);
}

TEST(DDSketchTest, EmptySketch) {
  DDSketch s;
  EXPECT_TRUE(s.empty());
  EXPECT_EQ(s.Count(), 0u);
  EXPECT_EQ(s.Sum(), 0);
  EXPECT_EQ(s.Min(), 0);
  EXPECT_EQ(s.Max(), 0);
  EXPECT_FALSE(s.Quantile(0.5).has_value());
  StatusOr<DDSketch> parsed = DDSketch::Parse(s.Serialize());
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(*parsed, s);
  EXPECT_EQ(s.Serialize().size(), 4u);
}

TEST(DDSketchTest, OddInputs) {
  DDSketch s;
  s.Add(std::nan(""));
  s.Add(std::numeric_limits<double>::infinity());
  s.Add(42, 0);
  EXPECT_TRUE(s.empty());
  s.Add(-5);   // counted as 0
  s.Add(0.5);  // below 1 ns: the zero bucket
  EXPECT_EQ(s.zero_count(), 2u);
  EXPECT_EQ(s.Min(), 0);
  EXPECT_FALSE(s.Quantile(-0.1).has_value());
  EXPECT_FALSE(s.Quantile(1.1).has_value());
  EXPECT_FALSE(s.Quantile(std::nan("")).has_value());

  DDSketch huge;
  huge.Add(1e308, 3);  // the sum saturates instead of becoming infinite
  EXPECT_TRUE(std::isfinite(huge.Sum()));
  EXPECT_TRUE(DDSketch::Parse(huge.Serialize()).ok());
}

TEST(DDSketchTest, CollapsesLowestBucketsAndStaysOrderIndependent) {
  std::vector<double> values;
  for (double v = 1; v < 1e300; v *= 1.5) values.push_back(v);
  DDSketch ascending, descending;
  for (double v : values) ascending.Add(v);
  for (auto it = values.rbegin(); it != values.rend(); ++it) descending.Add(*it);
  EXPECT_EQ(ascending, descending);
  EXPECT_EQ(ascending.bucket_span(), DDSketch::kMaxBuckets);
  // The top of the range keeps the guarantee.
  const double exact = values[static_cast<size_t>(0.99 * static_cast<double>(values.size() - 1))];
  EXPECT_LE(std::abs(ascending.Quantile(0.99).value() - exact), kTolerance * exact);
  // The collapsed bottom is overestimated, never below the true value.
  EXPECT_GE(ascending.Quantile(0.01).value(),
            values[static_cast<size_t>(0.01 * (values.size() - 1))]);
  StatusOr<DDSketch> parsed = DDSketch::Parse(ascending.Serialize());
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(*parsed, ascending);
}

TEST(DDSketchTest, SerializationRoundTrip) {
  for (const Distribution& d : Distributions()) {
    std::vector<double> values = Draw(10'000, 3, d.draw);
    DDSketch s;
    for (double v : values) s.Add(v);
    s.Add(0, 2);
    const std::string bytes = s.Serialize();
    StatusOr<DDSketch> parsed = DDSketch::Parse(bytes);
    ASSERT_TRUE(parsed.ok()) << d.name << ": " << parsed.status().ToString();
    EXPECT_EQ(*parsed, s) << d.name;
    EXPECT_EQ(parsed->Serialize(), bytes);
    EXPECT_EQ(parsed->Quantile(0.95), s.Quantile(0.95));
  }
}

TEST(DDSketchTest, SerializationIsCompact) {
  std::vector<double> values = Draw(100'000, 5, Distributions()[2].draw);
  DDSketch s;
  for (double v : values) s.Add(v);
  // Lognormal σ=1 spans ~9 e-folds over 100k samples: a few hundred buckets, ~3 bytes each.
  EXPECT_LT(s.Serialize().size(), 1500u);
}

void ExpectRejected(const std::string& bytes, const std::string& why) {
  StatusOr<DDSketch> parsed = DDSketch::Parse(bytes);
  EXPECT_FALSE(parsed.ok()) << why;
  if (!parsed.ok()) {
    EXPECT_EQ(parsed.status().code(), StatusCode::kInvalidArgument) << why;
    EXPECT_NE(parsed.status().message().find("malformed DDSketch"), std::string::npos);
  }
}

TEST(DDSketchTest, ParseRejectsMalformedInput) {
  DDSketch s;
  s.Add(1000);
  s.Add(2000, 3);
  s.Add(0);
  const std::string good = s.Serialize();
  ASSERT_TRUE(DDSketch::Parse(good).ok());

  for (size_t n = 0; n < good.size(); ++n)
    ExpectRejected(good.substr(0, n), "prefix " + std::to_string(n));
  ExpectRejected(good + '\0', "trailing byte");
  std::string bad_version = good;
  bad_version[0] = 2;
  ExpectRejected(bad_version, "version");

  // Hand-built encodings: version | count | zero | [min max sum] | buckets ...
  auto header = [](uint8_t count, uint8_t zero, double min, double max, double sum) {
    std::string b;
    b.push_back(1);
    b.push_back(static_cast<char>(count));
    b.push_back(static_cast<char>(zero));
    for (double d : {min, max, sum}) {
      uint64_t bits;
      std::memcpy(&bits, &d, 8);
      for (int i = 0; i < 8; ++i) b.push_back(static_cast<char>(bits >> (8 * i)));
    }
    return b;
  };
  ExpectRejected(header(2, 0, 10, 20, 30) + std::string("\x02\x0a\x01\x00\x01", 5), "zero delta");
  ExpectRejected(header(2, 0, 10, 20, 30) + std::string("\x01\x0a\x01", 3), "counts too small");
  ExpectRejected(header(1, 0, 10, 20, 30) + std::string("\x01\x0a\x02", 3), "counts too large");
  ExpectRejected(header(1, 0, 10, 20, 30) + std::string("\x01\x0a\x00", 3), "empty bucket");
  ExpectRejected(header(1, 0, 10, 20, 30) + std::string("\x01\x01\x01", 3), "negative index");
  ExpectRejected(header(1, 2, 0, 20, 30) + std::string("\x00", 1), "zero count > count");
  ExpectRejected(header(1, 0, 30, 20, 30) + std::string("\x01\x0a\x01", 3), "min > max");
  ExpectRejected(header(1, 0, std::nan(""), 20, 30) + std::string("\x01\x0a\x01", 3), "NaN");
  ExpectRejected(header(1, 0, 10, 20, 30) + std::string("\x01\x8a\x00\x01", 4),
                 "non-minimal varint");
  ExpectRejected(header(2, 0, 10, 1e30, 30) +
                     std::string("\x02\x0a\x01\x90\x20\x01", 6),  // delta 4112 > kMaxBuckets
                 "span too wide");
  std::string huge_count = "\x01\xff\xff\xff\xff\xff\xff\xff\xff\xff\x7f";
  ExpectRejected(huge_count, "varint over 64 bits");
}

TEST(DDSketchTest, ParseSurvivesCorruptedBytes) {
  DDSketch s;
  for (double v : Draw(1000, 9, Distributions()[1].draw)) s.Add(v);
  const std::string good = s.Serialize();
  std::mt19937_64 rng(11);
  for (int trial = 0; trial < 20'000; ++trial) {
    std::string bytes = good;
    const int flips = 1 + static_cast<int>(rng() % 4);
    for (int f = 0; f < flips; ++f)
      bytes[rng() % bytes.size()] ^= static_cast<char>(1 + rng() % 255);
    StatusOr<DDSketch> parsed = DDSketch::Parse(bytes);
    if (parsed.ok()) {
      // Whatever parses is a consistent sketch: it answers and re-encodes.
      EXPECT_TRUE(parsed->Quantile(0.5).has_value() || parsed->empty());
      EXPECT_TRUE(DDSketch::Parse(parsed->Serialize()).ok());
    }
  }
}

}  // namespace
}  // namespace tokenscope::rollup
