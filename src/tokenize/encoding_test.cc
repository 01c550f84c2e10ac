#include "tokenize/encoding.h"

#include <gtest/gtest.h>

#include <chrono>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace tokenscope::tokenize {
namespace {

using Ids = std::vector<uint32_t>;

const Encoding& O200k() {
  auto encoding = Encoding::Get("o200k_base");
  EXPECT_TRUE(encoding.ok()) << encoding.status().ToString();
  return **encoding;
}

const Encoding& Cl100k() {
  auto encoding = Encoding::Get("cl100k_base");
  EXPECT_TRUE(encoding.ok()) << encoding.status().ToString();
  return **encoding;
}

// Expected ids come from tiktoken's reference implementation (js-tiktoken 1.0.21); the
// differential test (data/differential.test.mjs) checks hundreds more.
struct Known {
  std::string text;
  Ids o200k;
  Ids cl100k;
};

const std::vector<Known>& KnownEncodings() {
  static const auto* known = new std::vector<Known>{
      {"hello world", {24912, 2375}, {15339, 1917}},
      {"Hello, World!", {13225, 11, 5922, 0}, {9906, 11, 4435, 0}},
      {"I'm sure they're here, aren't you?",
       {15390, 3239, 18940, 2105, 11, 23236, 481, 30},
       {40, 2846, 2771, 814, 2351, 1618, 11, 7784, 956, 499, 30}},
      {"DON'T", {134882, 51532}, {85741, 17773}},
      {"你好，世界！", {177519, 979, 28428, 3393}, {57668, 53901, 3922, 3574, 244, 98220, 6447}},
      {"안녕하세요", {14307, 171731}, {31495, 230, 75265, 243, 92245}},
      {"😀👍🏽🇫🇷",
       {84083, 82514, 52622, 121, 55506, 104, 55506, 115},
       {76460, 222, 9468, 239, 235, 9468, 237, 121, 9468, 229, 104, 9468, 229, 115}},
      {"  indented\n\n\tcode  ",
       {220, 1383, 23537, 279, 86873, 256},
       {220, 1280, 16243, 271, 44443, 256}},
      {"1234567", {7633, 19354, 22}, {4513, 10961, 22}},
      {"3.14159", {18, 13, 16926, 4621}, {18, 13, 9335, 2946}},
      {"naïve café", {1503, 9954, 737, 30469}, {3458, 38672, 588, 53050}},
      {"{\"role\": \"user\", \"content\": \"Hi\"}",
       {10848, 8716, 1243, 392, 1428, 672, 392, 3252, 1243, 392, 12194, 18583},
       {5018, 5898, 794, 330, 882, 498, 330, 1834, 794, 330, 13347, 9388}},
      {"def f(x):\n    return x**2\n",
       {1314, 285, 4061, 1883, 271, 622, 1215, 410, 17, 198},
       {755, 282, 2120, 997, 262, 471, 865, 334, 17, 198}},
      {"e\u0301", {68, 13430}, {68, 54939}},
      {"https://example.com/a/b?c=d",
       {4172, 1684, 18582, 1136, 23839, 7611, 30, 66, 56413},
       {2485, 1129, 8858, 916, 14520, 3554, 30, 66, 26477}},
  };
  return *known;
}

TEST(EncodingTest, GetReturnsTheSameEncodingEveryTime) {
  auto first = Encoding::Get("o200k_base");
  auto second = Encoding::Get("o200k_base");
  ASSERT_TRUE(first.ok());
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(*first, *second);
  EXPECT_EQ((*first)->name(), "o200k_base");
  EXPECT_EQ(Cl100k().name(), "cl100k_base");
}

TEST(EncodingTest, UnknownEncodingIsNotFound) {
  auto encoding = Encoding::Get("p50k_base");
  ASSERT_FALSE(encoding.ok());
  EXPECT_EQ(encoding.status().code(), StatusCode::kNotFound);
}

TEST(EncodingTest, KnownIdsO200k) {
  for (const Known& k : KnownEncodings()) {
    EXPECT_EQ(O200k().Encode(k.text), k.o200k) << k.text;
    EXPECT_EQ(O200k().CountTokens(k.text), k.o200k.size()) << k.text;
  }
}

TEST(EncodingTest, KnownIdsCl100k) {
  for (const Known& k : KnownEncodings()) {
    EXPECT_EQ(Cl100k().Encode(k.text), k.cl100k) << k.text;
    EXPECT_EQ(Cl100k().CountTokens(k.text), k.cl100k.size()) << k.text;
  }
}

TEST(EncodingTest, EmptyInputHasNoTokens) {
  EXPECT_TRUE(O200k().Encode("").empty());
  EXPECT_EQ(O200k().CountTokens(""), 0u);
  EXPECT_TRUE(Cl100k().EncodeWithSpecialTokens("").empty());
  auto decoded = O200k().Decode({});
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(*decoded, "");
}

TEST(EncodingTest, SpecialTokenTextIsOrdinaryTextByDefault) {
  EXPECT_EQ(O200k().Encode("<|endoftext|>"), (Ids{27, 91, 419, 1440, 919, 91, 29}));
  EXPECT_EQ(Cl100k().Encode("<|endoftext|>"), (Ids{27, 91, 8862, 728, 428, 91, 29}));
}

TEST(EncodingTest, EncodeWithSpecialTokensRecognizesThem) {
  EXPECT_EQ(O200k().EncodeWithSpecialTokens("a<|endoftext|>b"), (Ids{64, 199999, 65}));
  EXPECT_EQ(Cl100k().EncodeWithSpecialTokens("a<|endoftext|>b<|fim_prefix|>"),
            (Ids{64, 100257, 65, 100258}));
  EXPECT_EQ(O200k().EncodeWithSpecialTokens("<|endofprompt|><|endofprompt|>"),
            (Ids{200018, 200018}));
  // A special token of another encoding is ordinary text here.
  EXPECT_EQ(O200k().EncodeWithSpecialTokens("<|fim_prefix|>"), O200k().Encode("<|fim_prefix|>"));
}

TEST(EncodingTest, DecodeInvertsEncode) {
  for (const Known& k : KnownEncodings()) {
    auto o200k = O200k().Decode(k.o200k);
    ASSERT_TRUE(o200k.ok());
    EXPECT_EQ(*o200k, k.text);
    auto cl100k = Cl100k().Decode(k.cl100k);
    ASSERT_TRUE(cl100k.ok());
    EXPECT_EQ(*cl100k, k.text);
  }
  auto special = O200k().Decode(Ids{64, 199999});
  ASSERT_TRUE(special.ok());
  EXPECT_EQ(*special, "a<|endoftext|>");
}

TEST(EncodingTest, DecodeRejectsUnknownIds) {
  // 199998 is between the ordinary tokens and <|endoftext|>; 100256 likewise for cl100k.
  for (uint32_t id : {199998u, 200000u, 0xFFFFFFFFu}) {
    auto decoded = O200k().Decode(Ids{id});
    ASSERT_FALSE(decoded.ok()) << id;
    EXPECT_EQ(decoded.status().code(), StatusCode::kInvalidArgument);
  }
  EXPECT_FALSE(Cl100k().Decode(Ids{100256}).ok());
}

// Invalid UTF-8 is encoded byte by byte, grouped like punctuation; nothing fails and the
// bytes survive a round trip.
TEST(EncodingTest, InvalidUtf8IsEncodedLosslessly) {
  const std::string inputs[] = {
      "\xff",
      "abc\xff\xfe def",
      "\xc3",
      "caf\xc3",
      "\xc0\xaf",
      "\xed\xa0\x80surrogate",
      "\xf4\x90\x80\x80",
      "\x80\x80\x80",
      "\xe4\xbd",
      std::string("nul\0byte", 8),
  };
  for (const Encoding* encoding : {&O200k(), &Cl100k()}) {
    for (const std::string& input : inputs) {
      const Ids ids = encoding->Encode(input);
      EXPECT_FALSE(ids.empty());
      EXPECT_EQ(encoding->CountTokens(input), ids.size());
      auto decoded = encoding->Decode(ids);
      ASSERT_TRUE(decoded.ok());
      EXPECT_EQ(*decoded, input);
    }
  }
  // A lone invalid byte is the byte's own token.
  const Ids ff = O200k().Encode("\xff");
  ASSERT_EQ(ff.size(), 1u);
  auto ff_bytes = O200k().Decode(ff);
  ASSERT_TRUE(ff_bytes.ok());
  EXPECT_EQ(*ff_bytes, "\xff");
}

TEST(EncodingTest, RandomBytesRoundTrip) {
  std::mt19937 random(7);
  for (int round = 0; round < 200; ++round) {
    std::string bytes(random() % 200, '\0');
    for (char& c : bytes) c = static_cast<char>(random());
    for (const Encoding* encoding : {&O200k(), &Cl100k()}) {
      const Ids ids = encoding->Encode(bytes);
      EXPECT_EQ(encoding->CountTokens(bytes), ids.size());
      auto decoded = encoding->Decode(ids);
      ASSERT_TRUE(decoded.ok());
      EXPECT_EQ(*decoded, bytes);
    }
  }
}

// Whitespace runs, long digit runs and long pieces without split points must stay linear
// (tiktoken's own merge is quadratic in the piece length).
TEST(EncodingTest, VeryLongInputsTakeLinearTime) {
  constexpr size_t kSize = 256 << 10;
  std::mt19937 random(11);
  std::string letters(kSize, 'a');
  for (char& c : letters) c = static_cast<char>('a' + random() % 26);
  const std::string inputs[] = {
      std::string(kSize, 'a'), std::string(kSize, ' '), std::string(kSize, '\n'),
      std::string(kSize, '7'), std::string(kSize, '!'), letters,
  };
  const auto start = std::chrono::steady_clock::now();
  for (const std::string& input : inputs) {
    for (const Encoding* encoding : {&O200k(), &Cl100k()}) {
      const Ids ids = encoding->Encode(input);
      EXPECT_GT(ids.size(), 0u);
      EXPECT_LT(ids.size(), input.size());
      auto decoded = encoding->Decode(ids);
      ASSERT_TRUE(decoded.ok());
      EXPECT_EQ(*decoded, input);
    }
  }
  // 3 MiB in all, each input one 256 KiB piece (but the digits): seconds even under
  // sanitizers, hours if anything were quadratic.
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(60));
}

TEST(EncodingTest, ConcurrentUseGivesTheSameResults) {
  const std::string text = "The quick brown fox 🦊 jumps over 13 lazy dogs. 你好！\n\n";
  const Ids expected = O200k().Encode(text);
  std::vector<std::thread> threads;
  std::vector<int> mismatches(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 200; ++i) {
        auto encoding = Encoding::Get(t % 2 == 0 ? "o200k_base" : "cl100k_base");
        if (!encoding.ok()) {
          ++mismatches[t];
          continue;
        }
        if (t % 2 == 0 && (*encoding)->Encode(text) != expected) ++mismatches[t];
        if (t % 2 == 1 && (*encoding)->CountTokens(text) == 0) ++mismatches[t];
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (int m : mismatches) EXPECT_EQ(m, 0);
}

TEST(EncodingForModelTest, OpenAiModelsGetTheirEncoding) {
  const std::pair<std::string_view, std::string_view> cases[] = {
      {"gpt-4o", "o200k_base"},
      {"gpt-4o-mini-2024-07-18", "o200k_base"},
      {"GPT-4o", "o200k_base"},
      {"openai/gpt-4o", "o200k_base"},
      {"ft:gpt-4o-mini:acme::abc123", "o200k_base"},
      {"gpt-4.1-nano", "o200k_base"},
      {"gpt-4.5-preview", "o200k_base"},
      {"gpt-5", "o200k_base"},
      {"gpt-5-mini-2025-08-07", "o200k_base"},
      {"gpt-5.1", "o200k_base"},
      {"o1", "o200k_base"},
      {"o1-preview", "o200k_base"},
      {"o3-mini", "o200k_base"},
      {"o4-mini-2025-04-16", "o200k_base"},
      {"chatgpt-4o-latest", "o200k_base"},
      {"openai.gpt-oss-120b-1:0", "o200k_base"},
      {"gpt-4", "cl100k_base"},
      {"gpt-4-0613", "cl100k_base"},
      {"gpt-4-turbo-2024-04-09", "cl100k_base"},
      {"gpt-3.5-turbo", "cl100k_base"},
      {"gpt-35-turbo", "cl100k_base"},
      {"text-embedding-3-small", "cl100k_base"},
      {"text-embedding-ada-002", "cl100k_base"},
  };
  for (const auto& [model, encoding] : cases) {
    const EncodingChoice choice = EncodingForModel(model);
    EXPECT_EQ(choice.encoding, encoding) << model;
    EXPECT_TRUE(choice.exact) << model;
  }
}

TEST(EncodingForModelTest, OtherModelsApproximateWithO200k) {
  for (std::string_view model :
       {"claude-sonnet-4-5-20250929", "gemini-2.5-pro", "mistral-large-latest", "deepseek-chat",
        "meta-llama/Llama-3.3-70B-Instruct-Turbo", "o10", "gpt-40", "", "my-azure-deployment"}) {
    const EncodingChoice choice = EncodingForModel(model);
    EXPECT_EQ(choice.encoding, "o200k_base") << model;
    EXPECT_FALSE(choice.exact) << model;
  }
}

}  // namespace
}  // namespace tokenscope::tokenize
