// Tokenscope's tokenizer: byte-level BPE encodings compatible token for token with OpenAI's
// tiktoken encodings o200k_base and cl100k_base. Enrichment uses it to estimate the token
// usage of LLM calls whose instrumentation did not report it (docs/tokenizer.md).
//
// Encoding text is pre-tokenization (pretokenizer.h: the encoding's split pattern) followed by
// rank-based byte-pair merging of each piece (bpe.h). The rank data is compiled into the binary
// (rank_data.h); an encoding is built from it lazily, once, on its first Get() (about 25 ms and
// 7 MiB of index for o200k_base), and lives until the process exits.
//
// Any byte string is accepted: invalid UTF-8 is split and encoded byte by byte (see
// pretokenizer.h), so nothing fails and Decode(Encode(x)) == x for every x. Cost is linear in
// the input for ordinary text and O(n log n) at worst (long pieces without split points).
//
// Thread safety: Get() may be called concurrently; an Encoding is immutable and all of its
// methods are safe to call from any number of threads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "tokenize/bpe.h"
#include "tokenize/pretokenizer.h"

namespace tokenscope::tokenize {

class Encoding {
 public:
  // "o200k_base" or "cl100k_base". NotFound for any other name; Internal if the compiled-in
  // rank data is corrupt (a build problem, never the input's fault).
  static StatusOr<const Encoding*> Get(std::string_view name);

  Encoding(const Encoding&) = delete;
  Encoding& operator=(const Encoding&) = delete;

  std::string_view name() const { return name_; }

  // The number of tokens of Encode(text), without building the vector.
  size_t CountTokens(std::string_view text) const;

  // The token ids of `text` as ordinary text: text that looks like a special token such as
  // "<|endoftext|>" is encoded like any other text (tiktoken's encode_ordinary). This is how a
  // provider tokenizes the content of a message.
  std::vector<uint32_t> Encode(std::string_view text) const;

  // Like Encode, but the encoding's special tokens ("<|endoftext|>", ...) become their special
  // ids (tiktoken's encode with allowed_special="all").
  std::vector<uint32_t> EncodeWithSpecialTokens(std::string_view text) const;

  // The bytes of the tokens, concatenated. InvalidArgument for an id that is neither an
  // ordinary nor a special token of this encoding.
  StatusOr<std::string> Decode(std::span<const uint32_t> tokens) const;

 private:
  struct SpecialToken {
    std::string text;
    uint32_t rank;
  };

  Encoding(std::string_view name, SplitPattern pattern, RankTable ranks,
           std::vector<SpecialToken> specials);
  static StatusOr<std::unique_ptr<Encoding>> Load(std::string_view name, SplitPattern pattern,
                                                  const internal::RankData& data);
  friend class LazyEncoding;

  void AppendOrdinary(std::string_view text, std::vector<uint32_t>* out) const;

  std::string_view name_;
  SplitPattern pattern_;
  RankTable ranks_;
  std::vector<SpecialToken> specials_;
};

// Which encoding to estimate a model's tokens with.
struct EncodingChoice {
  std::string_view encoding;  // "o200k_base" or "cl100k_base"
  // True when `encoding` is the model's own tokenizer (OpenAI models). False for models whose
  // tokenizer is not public or not shipped here (Anthropic, Gemini, Mistral, DeepSeek, Llama,
  // unknown names...): they get o200k_base, and their counts are only an approximation of what
  // the provider would count.
  bool exact = false;
};

// The encoding for a model name as instrumentations report it: case-insensitive, with or
// without a path or vendor prefix ("openai/gpt-4o", "ft:gpt-4o-mini:acme::id", Bedrock's
// "openai.gpt-oss-120b-1:0") and version suffixes. gpt-4o, gpt-4.1, gpt-4.5, gpt-5, o1, o3,
// o4, gpt-oss, chatgpt-4o, codex-mini → o200k_base; gpt-4 (incl. turbo), gpt-3.5,
// text-embedding-3, text-embedding-ada-002, davinci-002, babbage-002 → cl100k_base; anything
// else → o200k_base, not exact. Only the model name decides: the same model has the same
// tokenizer whichever provider or gateway serves it.
EncodingChoice EncodingForModel(std::string_view model);

}  // namespace tokenscope::tokenize
