// The tiktoken rank data compiled into Tokenscope. The definitions are generated at build time
// by data/gen_rank_data.mjs from the js-tiktoken npm package pinned in data/package-lock.json
// (see CMakeLists.txt), so the binary needs no file at run time.
//
// A RankData only points at constant data with static storage duration: it is a plain value,
// valid for the life of the program and safe to share between threads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace tokenscope::tokenize::internal {

struct SpecialTokenData {
  std::string_view text;  // e.g. "<|endoftext|>"
  uint32_t rank;
};

struct RankData {
  // For each rank 0 .. rank_count-1 in order: one length byte, then that many token bytes.
  // A length of 0 marks a rank without a token. Ranks are implicit in the position.
  std::string_view tokens;
  uint32_t rank_count = 0;
  const SpecialTokenData* specials = nullptr;
  size_t special_count = 0;
};

RankData O200kBaseRankData();
RankData Cl100kBaseRankData();

}  // namespace tokenscope::tokenize::internal
