// libFuzzer target for the tokenizer (src/tokenize/encoding.h).
//
// Arbitrary bytes, valid UTF-8 or not, are encoded with both built-in encodings. Nothing may
// crash, hang, or read out of bounds, and every result must keep the tokenizer's promises:
// CountTokens agrees with Encode, decoding gives back the input byte for byte (invalid UTF-8
// included), special-token-aware encoding decodes to the input as well, and the two merge
// implementations agree on the input taken as one piece.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "tokenize/bpe.h"
#include "tokenize/encoding.h"
#include "tokenize/rank_data.h"

namespace {

namespace tokenize = tokenscope::tokenize;

void Require(bool condition) {
  if (!condition) std::abort();
}

const tokenize::Encoding& Load(std::string_view name) {
  auto encoding = tokenize::Encoding::Get(name);
  Require(encoding.ok());
  return **encoding;
}

void CheckRoundTrip(const tokenize::Encoding& encoding, const std::vector<uint32_t>& ids,
                    std::string_view input) {
  auto decoded = encoding.Decode(ids);
  Require(decoded.ok());
  Require(*decoded == input);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const tokenize::Encoding& o200k = Load("o200k_base");
  static const tokenize::Encoding& cl100k = Load("cl100k_base");
  const std::string_view input(reinterpret_cast<const char*>(data), size);

  for (const tokenize::Encoding* encoding : {&o200k, &cl100k}) {
    const std::vector<uint32_t> ids = encoding->Encode(input);
    Require(encoding->CountTokens(input) == ids.size());
    Require(ids.size() <= input.size());
    CheckRoundTrip(*encoding, ids, input);
    CheckRoundTrip(*encoding, encoding->EncodeWithSpecialTokens(input), input);
  }

  // The scan and heap merges must agree, whatever the piece (the pre-tokenizer normally keeps
  // the scan to short pieces; here both see the whole input).
  if (!input.empty() && input.size() <= 512) {
    static const tokenize::RankTable* const ranks = [] {
      auto built = tokenize::RankTable::Build(tokenize::internal::O200kBaseRankData());
      Require(built.ok());
      return new tokenize::RankTable(std::move(built).value());
    }();
    std::vector<uint32_t> by_scan, by_heap;
    tokenize::internal::BytePairEncodeByScan(input, *ranks, &by_scan);
    tokenize::internal::BytePairEncodeByHeap(input, *ranks, &by_heap);
    Require(by_scan == by_heap);
  }
  return 0;
}
