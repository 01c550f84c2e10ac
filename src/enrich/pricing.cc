#include "enrich/pricing.h"

#include <fmt/format.h>
#include <re2/re2.h>
#include <re2/set.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <chrono>
#include <limits>
#include <set>
#include <tuple>
#include <utility>

namespace tokenscope::enrich {

namespace {

constexpr int64_t kInt64Max = std::numeric_limits<int64_t>::max();
constexpr int64_t kNanosPerUsd = 1'000'000'000;
constexpr int64_t kTokensPerMillion = 1'000'000;
constexpr int kMaxFractionDigits = 9;  // nano-USD resolution of a per-1M-token price

// Provider prefixes ("openai/", "models/", "accounts/x/models/") may precede the model name.
constexpr std::string_view kProviderPrefix = "(?:[^/]*/)*";
// Snapshot and alias suffixes a model name may carry: "-2024-08-06" (OpenAI), "-20250514"
// (Anthropic), "@20250514" (Vertex AI), "-2411" (Mistral), "-001" (Gemini), "-latest".
constexpr std::string_view kVersionSuffix =
    R"((?:[-@](?:\d{4}-\d{2}-\d{2}|\d{8}|\d{3,4}|latest))?)";

int64_t NonNegative(const std::optional<int64_t>& value) {
  return value.has_value() && *value > 0 ? *value : 0;
}

int64_t SaturatingAdd(int64_t a, int64_t b) {  // both non-negative
  return a > kInt64Max - b ? kInt64Max : a + b;
}

char AsciiLower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (AsciiLower(a[i]) != AsciiLower(b[i])) return false;
  }
  return true;
}

std::string ToLower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = AsciiLower(c);
  return out;
}

bool IsDigits(std::string_view text) {
  return !text.empty() &&
         std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Parses a non-empty run of ASCII digits; nullopt on anything else or overflow.
std::optional<int64_t> ParseDigits(std::string_view text) {
  if (!IsDigits(text)) return std::nullopt;
  int64_t value = 0;
  for (char c : text) {
    int digit = c - '0';
    if (value > (kInt64Max - digit) / 10) return std::nullopt;
    value = value * 10 + digit;
  }
  return value;
}

// ---------------------------------------------------------------------------------------------
// Dates

// "YYYY-MM-DD" (midnight UTC) or "YYYY-MM-DDTHH:MM:SSZ" to unix nanoseconds.
StatusOr<uint64_t> ParseEffectiveFrom(std::string_view text) {
  auto bad = [&] {
    return InvalidArgument(fmt::format(
        "\"{}\" is not a date: expected YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ (UTC)", text));
  };
  bool has_time = text.size() == 20;
  if (text.size() != 10 && !has_time) return bad();
  if (text[4] != '-' || text[7] != '-') return bad();
  if (has_time && (text[10] != 'T' || text[13] != ':' || text[16] != ':' || text[19] != 'Z')) {
    return bad();
  }
  auto field = [&](size_t pos, size_t len) { return ParseDigits(text.substr(pos, len)); };
  auto year = field(0, 4), month = field(5, 2), day = field(8, 2);
  std::optional<int64_t> zero = 0;
  auto hour = has_time ? field(11, 2) : zero, minute = has_time ? field(14, 2) : zero,
       second = has_time ? field(17, 2) : zero;
  if (!year || !month || !day || !hour || !minute || !second) return bad();
  if (*year < 1970 || *year > 2500 || *hour > 23 || *minute > 59 || *second > 59) return bad();
  std::chrono::year_month_day date{std::chrono::year(static_cast<int>(*year)),
                                   std::chrono::month(static_cast<unsigned>(*month)),
                                   std::chrono::day(static_cast<unsigned>(*day))};
  if (!date.ok()) return bad();
  int64_t days = std::chrono::sys_days(date).time_since_epoch().count();
  int64_t seconds = days * 86400 + *hour * 3600 + *minute * 60 + *second;
  return static_cast<uint64_t>(seconds) * 1'000'000'000ull;
}

// ---------------------------------------------------------------------------------------------
// YAML reading: every helper returns an InvalidArgument that says where and what.

std::string Position(const YAML::Mark& mark) {
  if (mark.is_null() || mark.line < 0 || mark.column < 0) return "";
  return fmt::format("line {}, column {}: ", mark.line + 1, mark.column + 1);
}

Status YamlError(const YAML::Node& node, std::string_view context, std::string_view message) {
  return InvalidArgument(fmt::format("{}{}: {}", Position(node.Mark()), context, message));
}

std::string_view NodeTypeName(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Map:
      return "a mapping";
    case YAML::NodeType::Scalar:
      return "a scalar";
    case YAML::NodeType::Null:
      return "nothing";
    case YAML::NodeType::Undefined:
      break;
  }
  return "an undefined value";
}

// The key/value pairs of a mapping, checked against `known` keys and for duplicates.
using Fields = std::vector<std::pair<std::string, YAML::Node>>;

StatusOr<Fields> ReadMapping(const YAML::Node& node, std::string_view context,
                             const std::vector<std::string_view>& known) {
  if (!node.IsMap()) {
    return YamlError(node, context, fmt::format("expected a mapping, got {}", NodeTypeName(node)));
  }
  Fields fields;
  std::set<std::string, std::less<>> seen;
  for (const auto& kv : node) {
    const YAML::Node& key = kv.first;
    if (!key.IsScalar()) return YamlError(key, context, "keys must be plain names");
    const std::string& name = key.Scalar();
    if (std::find(known.begin(), known.end(), name) == known.end()) {
      return YamlError(
          key, context,
          fmt::format("unknown key \"{}\" (known keys: {})", name, fmt::join(known, ", ")));
    }
    if (!seen.insert(name).second) {
      return YamlError(key, context, fmt::format("duplicate key \"{}\"", name));
    }
    fields.emplace_back(name, kv.second);
  }
  return fields;
}

const YAML::Node* FindField(const Fields& fields, std::string_view name) {
  for (const auto& [key, value] : fields) {
    if (key == name) return &value;
  }
  return nullptr;
}

StatusOr<std::string> ReadString(const YAML::Node& node, std::string_view context) {
  if (!node.IsScalar() || node.Scalar().empty()) {
    return YamlError(node, context,
                     fmt::format("expected a non-empty text, got {}",
                                 node.IsScalar() ? "an empty text" : NodeTypeName(node)));
  }
  return node.Scalar();
}

StatusOr<int64_t> ReadPrice(const YAML::Node& node, std::string_view context) {
  if (!node.IsScalar()) {
    return YamlError(
        node, context,
        fmt::format("expected a price in USD per 1M tokens, got {}", NodeTypeName(node)));
  }
  StatusOr<int64_t> price = ParseUsdPerMillion(node.Scalar());
  if (!price.ok()) return YamlError(node, context, price.status().message());
  return *price;
}

// A required field of a mapping; `context` names the mapping.
StatusOr<const YAML::Node*> Require(const Fields& fields, const YAML::Node& mapping,
                                    std::string_view context, std::string_view name) {
  const YAML::Node* node = FindField(fields, name);
  if (node == nullptr || node->IsNull()) {
    return YamlError(mapping, context, fmt::format("missing required field \"{}\"", name));
  }
  return node;
}

Status ReadOptionalPrice(const Fields& fields, std::string_view context, std::string_view name,
                         std::optional<int64_t>& out) {
  const YAML::Node* node = FindField(fields, name);
  if (node == nullptr) return Status::Ok();
  TS_ASSIGN_OR_RETURN(out, ReadPrice(*node, fmt::format("{}: {}", context, name)));
  return Status::Ok();
}

// input, output, cache_read, cache_creation of an entry or a tier.
StatusOr<PriceRates> ReadRates(const Fields& fields, const YAML::Node& mapping,
                               std::string_view context) {
  PriceRates rates;
  TS_ASSIGN_OR_RETURN(const YAML::Node* input, Require(fields, mapping, context, "input"));
  TS_ASSIGN_OR_RETURN(rates.input, ReadPrice(*input, fmt::format("{}: input", context)));
  TS_ASSIGN_OR_RETURN(const YAML::Node* output, Require(fields, mapping, context, "output"));
  TS_ASSIGN_OR_RETURN(rates.output, ReadPrice(*output, fmt::format("{}: output", context)));
  TS_RETURN_IF_ERROR(ReadOptionalPrice(fields, context, "cache_read", rates.cache_read));
  TS_RETURN_IF_ERROR(ReadOptionalPrice(fields, context, "cache_creation", rates.cache_creation));
  return rates;
}

StatusOr<std::vector<std::string>> ReadProviders(const YAML::Node& node, std::string_view context) {
  std::vector<std::string> providers;
  if (node.IsSequence()) {
    for (const YAML::Node& item : node) {
      TS_ASSIGN_OR_RETURN(std::string provider, ReadString(item, context));
      providers.push_back(ToLower(provider));
    }
    if (providers.empty()) return YamlError(node, context, "the provider list is empty");
  } else {
    TS_ASSIGN_OR_RETURN(std::string provider, ReadString(node, context));
    providers.push_back(ToLower(provider));
  }
  return providers;
}

StatusOr<std::vector<PriceTier>> ReadTiers(const YAML::Node& node, std::string_view context) {
  if (!node.IsSequence()) {
    return YamlError(node, context, fmt::format("expected a list, got {}", NodeTypeName(node)));
  }
  std::vector<PriceTier> tiers;
  for (size_t i = 0; i < node.size(); ++i) {
    const YAML::Node& item = node[i];
    std::string tier_context = fmt::format("{}[{}]", context, i);
    TS_ASSIGN_OR_RETURN(Fields fields, ReadMapping(item, tier_context,
                                                   {"above_input_tokens", "input", "cache_read",
                                                    "cache_creation", "output"}));
    PriceTier tier;
    TS_ASSIGN_OR_RETURN(const YAML::Node* above,
                        Require(fields, item, tier_context, "above_input_tokens"));
    std::optional<int64_t> threshold =
        above->IsScalar() ? ParseDigits(above->Scalar()) : std::nullopt;
    if (!threshold || *threshold <= 0) {
      return YamlError(*above, tier_context + ": above_input_tokens",
                       "expected a positive whole number of tokens");
    }
    tier.above_input_tokens = *threshold;
    if (!tiers.empty() && tier.above_input_tokens <= tiers.back().above_input_tokens) {
      return YamlError(*above, tier_context + ": above_input_tokens",
                       fmt::format("tiers overlap: {} is not above the previous tier's {}; list "
                                   "tiers in strictly ascending order",
                                   tier.above_input_tokens, tiers.back().above_input_tokens));
    }
    TS_ASSIGN_OR_RETURN(tier.rates, ReadRates(fields, item, tier_context));
    tiers.push_back(std::move(tier));
  }
  return tiers;
}

// ---------------------------------------------------------------------------------------------
// Regexes

RE2::Options MatchOptions() {
  RE2::Options options;
  options.set_case_sensitive(false);
  options.set_log_errors(false);
  return options;
}

// The names an entry stands for: its model name, and its `match` regex when given.
std::string BarePattern(const PriceEntry& entry) {
  std::string model = RE2::QuoteMeta(entry.model);
  return entry.match.empty() ? model : fmt::format("{}|{}", model, entry.match);
}

// The full pattern a model name is matched against: optional provider prefixes, the bare
// pattern, an optional version suffix. Anchored at both ends by the caller.
std::string FullPattern(const PriceEntry& entry) {
  return fmt::format("{}(?:{}){}", kProviderPrefix, BarePattern(entry), kVersionSuffix);
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Exact decimals and money

StatusOr<int64_t> ParseUsdPerMillion(std::string_view text) {
  auto bad = [&](std::string_view why) {
    return InvalidArgument(fmt::format("\"{}\" is not a price: {}", text, why));
  };
  if (text.empty()) return bad("empty");
  if (text.front() == '-') return bad("negative prices are not allowed");
  if (text.front() == '+') return bad("write the number without a sign");
  if (text.find_first_of("eE") != std::string_view::npos) {
    return bad("exponent notation is not accepted; write a plain decimal such as 0.001");
  }
  size_t dot = text.find('.');
  std::string_view whole = text.substr(0, dot);
  std::string_view fraction = dot == std::string_view::npos ? "" : text.substr(dot + 1);
  if (!IsDigits(whole)) return bad("expected a decimal number such as 2.50");
  if (dot != std::string_view::npos && !IsDigits(fraction)) {
    return bad("expected digits after the decimal point");
  }
  // Digits beyond the ninth fractional place must be zeros: they would be below one nano-USD
  // per 1M tokens, which the integer representation cannot hold exactly.
  if (fraction.size() > kMaxFractionDigits) {
    std::string_view excess = fraction.substr(kMaxFractionDigits);
    if (excess.find_first_not_of('0') != std::string_view::npos) {
      return bad("more than 9 decimal places (finer than 1 nano-USD per 1M tokens)");
    }
    fraction = fraction.substr(0, kMaxFractionDigits);
  }
  std::optional<int64_t> units = ParseDigits(whole);
  if (!units || *units > kInt64Max / kNanosPerUsd) return bad("too large");
  int64_t nanos = 0;
  for (size_t i = 0; i < kMaxFractionDigits; ++i) {
    nanos = nanos * 10 + (i < fraction.size() ? fraction[i] - '0' : 0);
  }
  if (*units * kNanosPerUsd > kInt64Max - nanos) return bad("too large");
  return *units * kNanosPerUsd + nanos;
}

std::string FormatUsdPerMillion(int64_t nanos_per_million) {
  bool negative = nanos_per_million < 0;
  uint64_t magnitude = negative ? 0 - static_cast<uint64_t>(nanos_per_million)
                                : static_cast<uint64_t>(nanos_per_million);
  uint64_t units = magnitude / kNanosPerUsd;
  uint64_t fraction = magnitude % kNanosPerUsd;
  std::string out = fmt::format("{}{}", negative ? "-" : "", units);
  if (fraction != 0) {
    std::string digits = fmt::format("{:09d}", fraction);
    digits.erase(digits.find_last_not_of('0') + 1);
    out += "." + digits;
  }
  return out;
}

int64_t CostNanos(int64_t tokens, int64_t nanos_per_million) {
  if (tokens <= 0 || nanos_per_million <= 0) return 0;
  // Both factors are below 2^63, so the product is below 2^126: no overflow in 128 bits.
  __int128 product = static_cast<__int128>(tokens) * nanos_per_million;
  __int128 rounded = (product + kTokensPerMillion / 2) / kTokensPerMillion;  // half up
  return rounded > kInt64Max ? kInt64Max : static_cast<int64_t>(rounded);
}

const PriceRates& PriceEntry::RatesFor(int64_t total_input_tokens) const {
  for (auto tier = tiers.rbegin(); tier != tiers.rend(); ++tier) {
    if (total_input_tokens > tier->above_input_tokens) return tier->rates;
  }
  return base;
}

// ---------------------------------------------------------------------------------------------
// The table

// One entry with what ranking and matching need. Immutable once built.
struct PriceItem {
  PriceEntry entry;
  int layer = 0;                     // 0 for a loaded document; each Merge() puts overrides above
  size_t order = 0;                  // position in its document
  size_t pattern_length = 0;         // length of the `match` text, else of the model name
  std::shared_ptr<const RE2> regex;  // FullPattern(entry), for the out-of-memory fallback
};

// The immutable state a PriceTable shares between copies.
struct PriceTable::Index {
  std::vector<PriceItem> items;
  // Every item's FullPattern; Match() returns item indices. Null when there are no items.
  std::unique_ptr<RE2::Set> set;

  // Indices of the items whose pattern matches `model`.
  void MatchingItems(std::string_view model, std::vector<int>& out) const {
    out.clear();
    if (set == nullptr) return;
    RE2::Set::ErrorInfo error{RE2::Set::kNoError};
    if (set->Match(re2::StringPiece(model.data(), model.size()), &out, &error)) return;
    if (error.kind == RE2::Set::kNoError) return;
    // The set's DFA ran out of memory (pathological names): match the entries one by one.
    out.clear();
    for (size_t i = 0; i < items.size(); ++i) {
      if (RE2::FullMatch(re2::StringPiece(model.data(), model.size()), *items[i].regex)) {
        out.push_back(static_cast<int>(i));
      }
    }
  }
};

PriceTable::PriceTable() : index_(std::make_shared<Index>()) {}
PriceTable::PriceTable(std::shared_ptr<const Index> index) : index_(std::move(index)) {}
PriceTable::~PriceTable() = default;
PriceTable::PriceTable(const PriceTable&) = default;
PriceTable& PriceTable::operator=(const PriceTable&) = default;

namespace {

StatusOr<std::shared_ptr<const PriceTable::Index>> BuildIndex(std::vector<PriceItem> items) {
  auto index = std::make_shared<PriceTable::Index>();
  if (!items.empty()) {
    index->set = std::make_unique<RE2::Set>(MatchOptions(), RE2::ANCHOR_BOTH);
    for (const PriceItem& item : items) {
      std::string error;
      if (index->set->Add(FullPattern(item.entry), &error) < 0) {
        return Internal(
            fmt::format("price {}: pattern does not compile: {}", item.entry.price_id, error));
      }
    }
    if (!index->set->Compile()) return Internal("price patterns: out of memory compiling");
  }
  index->items = std::move(items);
  return std::shared_ptr<const PriceTable::Index>(std::move(index));
}

// Compiles an entry's pattern, reporting errors in terms of what the user wrote. `where` is
// the `match` node when there is one, else the `model` node.
Status CompilePattern(const YAML::Node& where, std::string_view context, PriceItem& item) {
  const std::string& match = item.entry.match;
  if (!match.empty()) {
    std::string field = fmt::format("{}: match", context);
    // Anchors would silently defeat the provider prefix and version suffix wrapped around it.
    bool trailing_dollar =
        match.back() == '$' && (match.size() < 2 || match[match.size() - 2] != '\\');
    if (match.front() == '^' || trailing_dollar) {
      return YamlError(
          where, field,
          fmt::format("remove ^ and $ from \"{}\": patterns are always anchored", match));
    }
    RE2 bare(match, MatchOptions());
    if (!bare.ok()) {
      return YamlError(where, field, fmt::format("bad regex \"{}\": {}", match, bare.error()));
    }
  }
  auto regex = std::make_shared<RE2>(FullPattern(item.entry), MatchOptions());
  if (!regex->ok()) {
    return YamlError(where, context,
                     fmt::format("model pattern does not compile: {}", regex->error()));
  }
  item.regex = std::move(regex);
  item.pattern_length =
      item.entry.match.empty() ? item.entry.model.size() : item.entry.match.size();
  return Status::Ok();
}

// "prices[3] (openai/gpt-4o)" — names the entry in errors before it is fully read.
std::string EntryContext(const YAML::Node& node, size_t i) {
  std::string context = fmt::format("prices[{}]", i);
  if (!node.IsMap()) return context;
  std::string provider, model;
  for (const auto& kv : node) {
    if (!kv.first.IsScalar()) continue;
    if (kv.first.Scalar() == "model" && kv.second.IsScalar()) model = kv.second.Scalar();
    if (kv.first.Scalar() == "provider") {
      if (kv.second.IsScalar()) provider = kv.second.Scalar();
      if (kv.second.IsSequence() && kv.second.size() > 0 && kv.second[0].IsScalar()) {
        provider = kv.second[0].Scalar();
      }
    }
  }
  if (!model.empty()) context += fmt::format(" ({}/{})", provider, model);
  return context;
}

StatusOr<PriceItem> ReadEntry(const YAML::Node& node, size_t i) {
  std::string context = EntryContext(node, i);
  TS_ASSIGN_OR_RETURN(
      Fields fields, ReadMapping(node, context,
                                 {"provider", "model", "match", "effective_from", "source", "input",
                                  "cache_read", "cache_creation", "output", "tiers"}));
  PriceItem item;
  item.order = i;
  PriceEntry& entry = item.entry;
  TS_ASSIGN_OR_RETURN(const YAML::Node* provider, Require(fields, node, context, "provider"));
  TS_ASSIGN_OR_RETURN(entry.providers, ReadProviders(*provider, context + ": provider"));
  TS_ASSIGN_OR_RETURN(const YAML::Node* model, Require(fields, node, context, "model"));
  TS_ASSIGN_OR_RETURN(entry.model, ReadString(*model, context + ": model"));
  const YAML::Node* match = FindField(fields, "match");
  if (match != nullptr) {
    TS_ASSIGN_OR_RETURN(entry.match, ReadString(*match, context + ": match"));
  }
  TS_ASSIGN_OR_RETURN(const YAML::Node* from, Require(fields, node, context, "effective_from"));
  TS_ASSIGN_OR_RETURN(entry.effective_from, ReadString(*from, context + ": effective_from"));
  StatusOr<uint64_t> from_nanos = ParseEffectiveFrom(entry.effective_from);
  if (!from_nanos.ok()) {
    return YamlError(*from, context + ": effective_from", from_nanos.status().message());
  }
  entry.effective_from_unix_nano = *from_nanos;
  if (const YAML::Node* source = FindField(fields, "source")) {
    TS_ASSIGN_OR_RETURN(entry.source, ReadString(*source, context + ": source"));
  }
  TS_ASSIGN_OR_RETURN(entry.base, ReadRates(fields, node, context));
  if (const YAML::Node* tiers = FindField(fields, "tiers")) {
    TS_ASSIGN_OR_RETURN(entry.tiers, ReadTiers(*tiers, context + ": tiers"));
  }
  entry.price_id =
      fmt::format("{}/{}@{}", entry.providers.front(), entry.model, entry.effective_from);
  TS_RETURN_IF_ERROR(CompilePattern(match != nullptr ? *match : *model, context, item));
  return item;
}

StatusOr<std::vector<PriceItem>> ReadDocument(const YAML::Node& root) {
  if (!root.IsMap()) {
    return YamlError(
        root, "price document",
        fmt::format("expected a mapping with the key \"prices\", got {}", NodeTypeName(root)));
  }
  TS_ASSIGN_OR_RETURN(Fields fields, ReadMapping(root, "price document", {"prices"}));
  TS_ASSIGN_OR_RETURN(const YAML::Node* prices, Require(fields, root, "price document", "prices"));
  if (!prices->IsSequence()) {
    return YamlError(
        *prices, "prices",
        fmt::format("expected a list of price entries, got {}", NodeTypeName(*prices)));
  }
  std::vector<PriceItem> items;
  std::set<std::string, std::less<>> ids;
  for (size_t i = 0; i < prices->size(); ++i) {
    const YAML::Node& node = (*prices)[i];
    TS_ASSIGN_OR_RETURN(PriceItem item, ReadEntry(node, i));
    if (!ids.insert(item.entry.price_id).second) {
      return YamlError(node, EntryContext(node, i),
                       fmt::format("duplicate price id \"{}\" (same first provider, model and "
                                   "effective_from as an earlier entry)",
                                   item.entry.price_id));
    }
    items.push_back(std::move(item));
  }
  return items;
}

// The first path segment of a prefixed model name ("openai" of "openai/gpt-4o"), else "".
std::string_view PrefixSegment(std::string_view model) {
  size_t slash = model.find('/');
  return slash == std::string_view::npos ? std::string_view() : model.substr(0, slash);
}

// The model name without any prefix ("gpt-4o" of "openai/gpt-4o").
std::string_view BareName(std::string_view model) {
  size_t slash = model.rfind('/');
  return slash == std::string_view::npos ? model : model.substr(slash + 1);
}

bool ProviderMatches(const PriceEntry& entry, std::string_view provider, std::string_view prefix) {
  if (provider.empty()) return true;
  for (const std::string& candidate : entry.providers) {
    if (EqualsIgnoreCase(candidate, provider)) return true;
    if (!prefix.empty() && EqualsIgnoreCase(candidate, prefix)) return true;
  }
  return false;
}

// The ranking of PriceTable::Find, as a tuple compared lexicographically (greater wins).
auto RankOf(const PriceItem& item, std::string_view model) {
  bool exact = EqualsIgnoreCase(item.entry.model, model) ||
               EqualsIgnoreCase(item.entry.model, BareName(model));
  return std::make_tuple(item.layer, exact, item.pattern_length,
                         item.entry.effective_from_unix_nano,
                         std::numeric_limits<size_t>::max() - item.order);
}

}  // namespace

StatusOr<PriceTable> PriceTable::Load(std::string_view yaml_text) {
  std::vector<PriceItem> items;
  try {
    YAML::Node root = YAML::Load(std::string(yaml_text));
    TS_ASSIGN_OR_RETURN(items, ReadDocument(root));
  } catch (const YAML::Exception& e) {
    return InvalidArgument(fmt::format("{}price document: {}", Position(e.mark), e.msg));
  } catch (const std::exception& e) {
    return InvalidArgument(fmt::format("price document: {}", e.what()));
  }
  TS_ASSIGN_OR_RETURN(auto index, BuildIndex(std::move(items)));
  return PriceTable(std::move(index));
}

StatusOr<PriceTable> PriceTable::Builtin() {
  static const StatusOr<PriceTable>* const builtin = [] {
    StatusOr<PriceTable> table = Load(BuiltinPriceYaml());
    if (!table.ok()) {
      return new StatusOr<PriceTable>(table.status().WithContext("built-in prices.yaml"));
    }
    return new StatusOr<PriceTable>(std::move(table));
  }();
  return *builtin;
}

Status PriceTable::Merge(const PriceTable& overrides) {
  int top_layer = 0;
  for (const PriceItem& item : index_->items) top_layer = std::max(top_layer, item.layer);
  std::set<std::string, std::less<>> replaced;
  for (const PriceItem& item : overrides.index_->items) replaced.insert(item.entry.price_id);

  std::vector<PriceItem> merged;
  for (const PriceItem& item : index_->items) {
    if (!replaced.contains(item.entry.price_id)) merged.push_back(item);
  }
  for (PriceItem item : overrides.index_->items) {
    item.layer += top_layer + 1;
    merged.push_back(std::move(item));
  }
  TS_ASSIGN_OR_RETURN(index_, BuildIndex(std::move(merged)));
  return Status::Ok();
}

const PriceEntry* PriceTable::Find(std::string_view provider, std::string_view model,
                                   uint64_t at_unix_nano) const {
  if (model.empty()) return nullptr;
  thread_local std::vector<int> matches;
  index_->MatchingItems(model, matches);
  std::string_view prefix = PrefixSegment(model);
  const PriceItem* best = nullptr;
  for (int i : matches) {
    const PriceItem& item = index_->items[static_cast<size_t>(i)];
    if (item.entry.effective_from_unix_nano > at_unix_nano) continue;
    if (!ProviderMatches(item.entry, provider, prefix)) continue;
    if (best == nullptr || RankOf(item, model) > RankOf(*best, model)) best = &item;
  }
  return best == nullptr ? nullptr : &best->entry;
}

std::optional<model::Cost> PriceTable::ComputeCost(const model::TokenUsage& usage,
                                                   std::string_view provider,
                                                   std::string_view model,
                                                   uint64_t at_unix_nano) const {
  if (!usage.input_tokens && !usage.output_tokens && !usage.cache_read_input_tokens &&
      !usage.cache_creation_input_tokens && !usage.reasoning_tokens) {
    return std::nullopt;
  }
  const PriceEntry* entry = Find(provider, model, at_unix_nano);
  if (entry == nullptr) return std::nullopt;

  int64_t cache_read = NonNegative(usage.cache_read_input_tokens);
  int64_t cache_creation = NonNegative(usage.cache_creation_input_tokens);
  int64_t cached = SaturatingAdd(cache_read, cache_creation);
  // Input includes the cache counts; if a source reported less, trust the parts.
  int64_t total_input = std::max(NonNegative(usage.input_tokens), cached);
  int64_t uncached_input = total_input - cached;
  // Output includes reasoning; a reasoning count above it means output was under-reported.
  int64_t output = std::max(NonNegative(usage.output_tokens), NonNegative(usage.reasoning_tokens));

  const PriceRates& rates = entry->RatesFor(total_input);
  model::Cost cost;
  cost.input_nanos = CostNanos(uncached_input, rates.input);
  cost.cache_read_nanos = CostNanos(cache_read, rates.cache_read_or_input());
  cost.cache_creation_nanos = CostNanos(cache_creation, rates.cache_creation_or_input());
  cost.output_nanos = CostNanos(output, rates.output);
  cost.total_nanos = SaturatingAdd(SaturatingAdd(cost.input_nanos, cost.cache_read_nanos),
                                   SaturatingAdd(cost.cache_creation_nanos, cost.output_nanos));
  cost.price_id = entry->price_id;
  return cost;
}

std::vector<const PriceEntry*> PriceTable::entries() const {
  std::vector<const PriceEntry*> out;
  out.reserve(index_->items.size());
  for (const PriceItem& item : index_->items) out.push_back(&item.entry);
  return out;
}

size_t PriceTable::size() const {
  return index_->items.size();
}

}  // namespace tokenscope::enrich
