#include "tokenize/bpe.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "tokenize/rank_data.h"

namespace tokenscope::tokenize {
namespace {

const RankTable& O200kRanks() {
  static const RankTable* const table = [] {
    auto built = RankTable::Build(internal::O200kBaseRankData());
    EXPECT_TRUE(built.ok()) << built.status().ToString();
    return new RankTable(std::move(built).value());
  }();
  return *table;
}

TEST(RankTableTest, EveryTokenIsFoundAtItsRank) {
  const RankTable& ranks = O200kRanks();
  EXPECT_EQ(ranks.rank_count(), 199998u);
  for (uint32_t rank = 0; rank < ranks.rank_count(); rank += 97) {
    const std::string_view bytes = ranks.TokenBytes(rank);
    ASSERT_FALSE(bytes.empty()) << rank;
    EXPECT_EQ(ranks.Find(bytes), rank);
  }
  EXPECT_EQ(ranks.Find("!"), 0u);
  EXPECT_EQ(ranks.Find(" world"), 2375u);
}

TEST(RankTableTest, MissingBytesHaveNoRank) {
  const RankTable& ranks = O200kRanks();
  EXPECT_EQ(ranks.Find(""), kNoRank);
  EXPECT_EQ(ranks.Find("\xff\xfe\xfd\xfc"), kNoRank);
  EXPECT_EQ(ranks.Find(std::string(300, 'a')), kNoRank);
  EXPECT_TRUE(ranks.TokenBytes(ranks.rank_count()).empty());
}

std::string TokenBlob(const std::vector<std::string>& tokens) {
  std::string blob;
  for (const std::string& token : tokens) {
    blob.push_back(static_cast<char>(token.size()));
    blob += token;
  }
  return blob;
}

std::vector<std::string> AllBytes() {
  std::vector<std::string> tokens;
  for (int b = 0; b < 256; ++b) tokens.emplace_back(1, static_cast<char>(b));
  return tokens;
}

TEST(RankTableTest, BuildRejectsMalformedData) {
  std::vector<std::string> tokens = AllBytes();
  tokens.push_back("ab");
  const std::string good = TokenBlob(tokens);
  ASSERT_TRUE(RankTable::Build({good, 257, nullptr, 0}).ok());

  // Truncated: the last token runs past the end.
  EXPECT_FALSE(RankTable::Build({good.substr(0, good.size() - 1), 257, nullptr, 0}).ok());
  // More bytes than ranks.
  EXPECT_FALSE(RankTable::Build({good, 256, nullptr, 0}).ok());
  // A duplicate token.
  tokens.push_back("ab");
  const std::string duplicate = TokenBlob(tokens);
  EXPECT_FALSE(RankTable::Build({duplicate, 258, nullptr, 0}).ok());
  // A missing single byte.
  std::vector<std::string> missing = AllBytes();
  missing[200] = "";
  const std::string gap = TokenBlob(missing);
  auto built = RankTable::Build({gap, 256, nullptr, 0});
  ASSERT_FALSE(built.ok());
  EXPECT_EQ(built.status().code(), StatusCode::kInternal);
}

// A toy vocabulary where the merge order is easy to follow: "ab" (rank 256) merges before
// "bc" (257), so "abc" becomes "ab" + "c"; "abc" (258) then merges the two.
TEST(BytePairTest, MergesLowestRankFirstAndLeftmostOnTies) {
  std::vector<std::string> tokens = AllBytes();
  tokens.insert(tokens.end(), {"ab", "bc", "abc", "aa"});
  const std::string blob = TokenBlob(tokens);
  auto built = RankTable::Build({blob, static_cast<uint32_t>(tokens.size()), nullptr, 0});
  ASSERT_TRUE(built.ok());
  const RankTable& ranks = *built;

  std::vector<uint32_t> out;
  BytePairEncode("abc", ranks, &out);
  EXPECT_EQ(out, (std::vector<uint32_t>{258}));
  out.clear();
  BytePairEncode("bcab", ranks, &out);  // "ab" first, then "bc": no "bcab" token
  EXPECT_EQ(out, (std::vector<uint32_t>{257, 256}));
  out.clear();
  BytePairEncode("aaa", ranks, &out);  // leftmost "aa" wins the tie
  EXPECT_EQ(out, (std::vector<uint32_t>{259, 'a'}));
  EXPECT_EQ(BytePairCount("aaa", ranks), 2u);
}

// The scan (tiktoken's algorithm) and the heap must agree on every piece; pieces are drawn
// from alphabets that make long merge chains.
TEST(BytePairTest, ScanAndHeapAgree) {
  const RankTable& ranks = O200kRanks();
  std::mt19937 random(5);
  const std::string alphabets[] = {"ab",
                                   "abcdefghijklmnopqrstuvwxyz",
                                   " e",
                                   "0123456789",
                                   "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz+/",
                                   "\xe4\xb8\xad\xe6\x96\x87\xff"};
  for (int round = 0; round < 3000; ++round) {
    const std::string& alphabet = alphabets[round % std::size(alphabets)];
    std::string piece(1 + random() % 300, '\0');
    for (char& c : piece) c = alphabet[random() % alphabet.size()];
    std::vector<uint32_t> by_scan, by_heap;
    internal::BytePairEncodeByScan(piece, ranks, &by_scan);
    internal::BytePairEncodeByHeap(piece, ranks, &by_heap);
    ASSERT_EQ(by_scan, by_heap) << piece;
    EXPECT_EQ(BytePairCount(piece, ranks), by_scan.size());
    std::string joined;
    for (uint32_t rank : by_scan) joined += ranks.TokenBytes(rank);
    EXPECT_EQ(joined, piece);
  }
}

}  // namespace
}  // namespace tokenscope::tokenize
