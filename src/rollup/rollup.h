// Rollups: per-minute aggregates of LLM calls (DESIGN.md §2, "rollups (sketches)"), the data
// behind the metrics API when a query can be answered without scanning spans.
//
// A RollupKey names one cell: the minute (floor(start / 60 s)) and the dimensions — service,
// model, provider, operation, error class and the configured allocation dimensions (team,
// feature, ...). The project is not part of the key: the store keeps each project's cells
// apart. A RollupCell holds what the metrics API aggregates: requests, errors, tokens by
// type, cost by type (exact nano-USD), and latency and TTFT sketches (ddsketch.h).
//
// What counts: a request is one LLM or embedding call (LlmSpanKind kLlm or kEmbedding), the
// same calls trace summaries count in LlmTotals::llm_calls and the only ones that carry
// tokens and cost. Agent, chain, tool, retrieval and other spans contribute nothing: agent
// and chain spans often repeat their children's model and usage, so counting them would
// count the same call twice. An error is a request whose error class is not kNone — failed,
// or degraded (truncated, content-filtered, ...) as the error classifier decides.
//
// Cells merge associatively and commutatively (sums, and DDSketch::Merge), so the store can
// fold them with a merge operator in any order. Encodings are versioned and their decoders
// strict. Plain data and stateless functions; not synchronized.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/status.h"
#include "model/llm.h"
#include "model/span.h"
#include "rollup/ddsketch.h"

namespace tokenscope::rollup {

inline constexpr uint64_t kNanosPerMinute = 60'000'000'000ULL;
// Longest dimension value kept; longer values are cut (at a UTF-8 character boundary).
inline constexpr size_t kMaxDimensionValueBytes = 256;

inline uint64_t MinuteOf(uint64_t unix_nano) {
  return unix_nano / kNanosPerMinute;
}

// Where an allocation dimension takes its value from.
enum class DimensionSource : uint8_t {
  kSpanAttribute = 0,
  kResourceAttribute = 1,
  // A W3C baggage entry copied onto spans as an attribute (what OpenTelemetry's baggage span
  // processors do, under the entry's own key): read from the span attributes, like
  // kSpanAttribute, and named apart so that configurations say where values come from.
  kBaggage = 2,
};

// One configured allocation dimension, e.g. {"team", kResourceAttribute, "team.name"}.
struct AllocationDimension {
  std::string name;  // the dimension's name in rollup keys and the metrics API
  DimensionSource source = DimensionSource::kSpanAttribute;
  std::string key;  // the attribute (or baggage entry) that holds the value
};

// Parses a configured list of allocation dimensions: comma-separated `NAME` (the span
// attribute NAME) or `NAME=SOURCE:KEY` with SOURCE `attr`, `resource` or `baggage`, e.g.
// "team=resource:team.name,feature,prompt_version=attr:langfuse.prompt.version". Names are
// unique, made of letters, digits, '_', '.' and '-', and none of the built-in dimensions
// (service, model, provider, operation, error_class, user, session). Empty text: no dimensions.
StatusOr<std::vector<AllocationDimension>> ParseAllocationDimensions(std::string_view text);

// The built-in dimensions of every rollup key, in key order.
inline constexpr std::string_view kBuiltinDimensions[] = {"service", "model", "provider",
                                                          "operation", "error_class"};

struct RollupKey {
  uint64_t minute = 0;  // unix minutes: start_time_unix_nano / kNanosPerMinute
  std::string service;
  std::string model;
  std::string provider;
  std::string operation;
  std::string error_class;  // model::ErrorClassName: "" when the call did not fail
  // Allocation dimensions as (name, value), in configuration order; a value the span does
  // not carry is "".
  std::vector<std::pair<std::string, std::string>> dimensions;

  friend bool operator==(const RollupKey&, const RollupKey&) = default;
};

struct RollupCell {
  uint64_t requests = 0;
  uint64_t errors = 0;
  int64_t input_tokens = 0;   // TokenUsage accounting: input includes cached input
  int64_t output_tokens = 0;  // output includes reasoning
  int64_t cache_read_input_tokens = 0;
  int64_t cache_creation_input_tokens = 0;
  int64_t reasoning_tokens = 0;
  int64_t total_tokens = 0;
  // Cost by type, nano-USD, as model::Cost.
  int64_t input_cost_nanos = 0;
  int64_t cache_read_cost_nanos = 0;
  int64_t cache_creation_cost_nanos = 0;
  int64_t output_cost_nanos = 0;
  int64_t total_cost_nanos = 0;
  DDSketch latency_ns;  // span duration
  DDSketch ttft_ns;     // time to first token, of the calls that report it

  void Merge(const RollupCell& other);
  // Merge() without the sketches: the counts, tokens and costs only.
  void MergeCounts(const RollupCell& other);
  friend bool operator==(const RollupCell&, const RollupCell&) = default;
};

// A cell and its key: a contribution of one call, a merge operand of a batch, or a stored
// cell read back.
struct RollupEntry {
  RollupKey key;
  RollupCell cell;
};

// The contribution of one decoded and priced span: `llm` is its LLM section as
// enrich::PricedLlmInfo (or AnalyzeSpan) made it, `error_class` its classification.
// nullopt for spans that are not LLM or embedding calls.
std::optional<RollupEntry> ContributionOf(const model::Span& span, const model::Resource& resource,
                                          const std::optional<model::LlmInfo>& llm,
                                          model::ErrorClass error_class,
                                          const std::vector<AllocationDimension>& dimensions);

// The value of one allocation dimension for a span, as a string ("" when absent): strings as
// they are, integers in decimal, booleans as true/false, doubles in shortest round-trip form.
// Arrays, maps and bytes give "" (not a sensible grouping value).
std::string DimensionValue(const model::Span& span, const model::Resource& resource,
                           const AllocationDimension& dimension);

// Key encoding without the minute (the store puts the minute in front, for time-ordered
// scans): version (1) | service, model, provider, operation, error class (length-prefixed)
// | dimension count | (name, value) pairs, length-prefixed. Dimensions are encoded by name, so
// a reconfigured dimension list never attributes old values to a new dimension.
void EncodeKeyDimensions(const RollupKey& key, std::string* out);
// Decodes what EncodeKeyDimensions wrote into `key` (all but the minute). Strict.
Status DecodeKeyDimensions(std::string_view bytes, RollupKey* key);

// Cell encoding: version (1) | requests, errors (varints) | tokens and costs (zigzag
// varints) | latency and TTFT sketches (length-prefixed DDSketch encodings).
void EncodeCell(const RollupCell& cell, std::string* out);
StatusOr<RollupCell> DecodeCell(std::string_view bytes);
// DecodeCell into `cell`, decoding only the sketches asked for (the others are left empty but
// their bytes still checked for length): metrics queries that need no sketch skip most of the
// work. Strict like DecodeCell.
Status DecodeCellInto(std::string_view bytes, bool latency, bool ttft, RollupCell* cell);
// Adds the encoded cell to `into` (RollupCell::MergeCounts, and the sketches asked for) without
// decoding it into a cell of its own: what a scan over thousands of cells does per cell.
// Strict; on an error `into` may hold part of the cell.
Status MergeEncodedCell(std::string_view bytes, bool latency, bool ttft, RollupCell* into);
// Splits an encoded cell into its counts (into `counts`, whose sketches are left untouched) and
// the encodings of its two sketches, which the caller decodes as it likes. Strict about
// everything but the sketches.
Status SplitEncodedCell(std::string_view bytes, RollupCell* counts, std::string_view* latency,
                        std::string_view* ttft);

}  // namespace tokenscope::rollup
