// Pricing: the price table and the cost engine of enrichment (DESIGN.md §4, docs/pricing.md).
//
// A PriceTable is a list of PriceEntry values read from YAML (the prices.yaml shipped inside
// the binary, plus user overrides merged on top). Each entry prices one model of one or more
// providers from a date on: per-usage-type rates (uncached input, cache read, cache creation,
// output) and optional tiers chosen by the request's total input tokens.
//
// Money is exact: a rate is an integer count of nano-USD per one million tokens, parsed from
// the decimal text of the YAML without going through a double, and costs are integer nano-USD
// computed with 128-bit intermediates. Rounding: each usage type's cost is rounded half up to a
// whole nano-USD on its own; the total is the sum of the rounded parts.
//
// Ownership and threading: a PriceTable owns its entries and compiled regexes, in an immutable
// index that copies share. The table is immutable after Load()/Builtin(), except through
// Merge(), which must happen before the table is shared. All const methods (Find, ComputeCost,
// entries) are safe to call concurrently. A PriceEntry pointer returned by Find() stays valid
// while the table (or a copy of it) lives and is not merged into.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "model/llm.h"

namespace tokenscope::enrich {

// One complete set of rates, each in nano-USD per 1,000,000 tokens.
struct PriceRates {
  int64_t input = 0;   // uncached input tokens
  int64_t output = 0;  // output tokens, reasoning included
  // Cached input read. nullopt: the provider has no cache discount; billed at `input`.
  std::optional<int64_t> cache_read;
  // Cache write (e.g. Anthropic's 5-minute write at 1.25x input). nullopt: billed at `input`.
  std::optional<int64_t> cache_creation;

  int64_t cache_read_or_input() const { return cache_read.value_or(input); }
  int64_t cache_creation_or_input() const { return cache_creation.value_or(input); }
};

// Rates that replace the base rates when the request's total input tokens (cache included)
// are strictly greater than `above_input_tokens`.
struct PriceTier {
  int64_t above_input_tokens = 0;
  PriceRates rates;
};

// One price of one model, in force from `effective_from` until a later entry of the same model
// takes over.
struct PriceEntry {
  std::vector<std::string> providers;  // lower case, e.g. {"gcp.gemini", "gcp.vertex_ai"}
  std::string model;                   // canonical model name, e.g. "gpt-4o"
  std::string match;                   // the `match` regex as written; empty: derived from model
  std::string effective_from;          // as written: "2024-10-02" or "2025-09-05T16:00:00Z"
  uint64_t effective_from_unix_nano = 0;
  std::string source;  // where the price comes from, e.g. "OpenAI API pricing"
  PriceRates base;
  std::vector<PriceTier> tiers;  // strictly ascending by above_input_tokens
  std::string price_id;          // "<providers[0]>/<model>@<effective_from>"

  // The rates for a request with `total_input_tokens` input tokens (cache included): those of
  // the highest tier whose threshold it exceeds, else the base rates.
  const PriceRates& RatesFor(int64_t total_input_tokens) const;
};

class PriceTable {
 public:
  PriceTable();
  ~PriceTable();
  // Copies share the immutable index (cheap). There is deliberately no move: a moved-from
  // table stays a valid table.
  PriceTable(const PriceTable&);
  PriceTable& operator=(const PriceTable&);

  // Parses and strictly validates a price document (format: docs/pricing.md). Errors are
  // InvalidArgument naming the line, the entry and the field: unknown or duplicate keys,
  // missing fields, malformed or negative prices, bad dates, regexes that do not compile,
  // tiers that are not strictly ascending, two entries with the same price id.
  static StatusOr<PriceTable> Load(std::string_view yaml_text);

  // The table shipped with the binary (src/enrich/prices.yaml, embedded at build time).
  static StatusOr<PriceTable> Builtin();

  // Layers `overrides` on top of this table: an override entry with the same price id replaces
  // the existing one, and every override entry ranks above every existing entry in Find().
  // Not thread-safe: merge before sharing the table.
  Status Merge(const PriceTable& overrides);

  // The entry pricing `model` of `provider` at `at_unix_nano` (the span's start time), or
  // nullptr. Candidates are entries whose provider list contains `provider` (case-insensitive;
  // an empty provider matches every entry; the first path segment of a prefixed model name such
  // as "openai/gpt-4o" also counts as a provider), whose pattern matches the model name and
  // whose effective_from is at or before `at_unix_nano`. The most specific candidate wins, by
  // these keys in order:
  //   1. later layer: entries merged in as overrides beat the entries they were merged onto;
  //   2. exact name: an entry whose model name equals the requested name (case-insensitive,
  //      provider prefix removed) beats one that matched through its pattern;
  //   3. longer pattern text (the `match` regex, else the model name) beats shorter;
  //   4. later effective_from beats earlier (the price in force);
  //   5. the entry that comes first in its document.
  const PriceEntry* Find(std::string_view provider, std::string_view model,
                         uint64_t at_unix_nano) const;

  // The cost of `usage` priced by Find(provider, model, at_unix_nano). nullopt when no entry
  // applies or the usage carries no token count at all. Token semantics are canonical
  // (model/llm.h): input includes cache read and cache creation, output includes reasoning.
  std::optional<model::Cost> ComputeCost(const model::TokenUsage& usage, std::string_view provider,
                                         std::string_view model, uint64_t at_unix_nano) const;

  // Every entry, in ranking-independent storage order. Stable for the table's lifetime.
  std::vector<const PriceEntry*> entries() const;
  size_t size() const;

  // Compiled entries and the regex set that matches them all at once; defined in pricing.cc.
  struct Index;

 private:
  explicit PriceTable(std::shared_ptr<const Index> index);

  std::shared_ptr<const Index> index_;
};

// The text of src/enrich/prices.yaml, embedded at build time.
std::string_view BuiltinPriceYaml();

// Parses a price in USD per 1M tokens written as an exact decimal ("15", "2.50", "0.075") into
// nano-USD per 1M tokens. Accepts digits with an optional fraction of up to 9 digits (more
// digits only when they are zeros). Rejects signs, exponents ("1e-3"), a missing integer or
// fraction part (".5", "5."), other characters, and values beyond int64.
StatusOr<int64_t> ParseUsdPerMillion(std::string_view text);

// The inverse of ParseUsdPerMillion for display: the shortest exact decimal ("0.075", "15").
std::string FormatUsdPerMillion(int64_t nanos_per_million);

// The cost in nano-USD of `tokens` tokens at `nanos_per_million`, rounded half up, saturating
// at INT64_MAX. Negative inputs count as zero.
int64_t CostNanos(int64_t tokens, int64_t nanos_per_million);

}  // namespace tokenscope::enrich
