#include "rollup/rollup.h"

#include <charconv>

#include "rollup/wire.h"

namespace tokenscope::rollup {
namespace {

constexpr uint8_t kKeyVersion = 1;
constexpr uint8_t kCellVersion = 1;
// Decoding bound: no configuration has anywhere near this many allocation dimensions.
constexpr uint64_t kMaxDimensions = 64;

bool CountsAsRequest(const model::LlmInfo& llm) {
  return llm.kind == model::LlmSpanKind::kLlm || llm.kind == model::LlmSpanKind::kEmbedding;
}

// Cuts `value` to kMaxDimensionValueBytes without splitting a UTF-8 sequence.
std::string Bounded(std::string_view value) {
  if (value.size() <= kMaxDimensionValueBytes) return std::string(value);
  size_t end = kMaxDimensionValueBytes;
  while (end > 0 && (static_cast<uint8_t>(value[end]) & 0xc0) == 0x80) --end;
  return std::string(value.substr(0, end));
}

std::string ValueAsString(const model::AnyValue& v) {
  switch (v.type) {
    case model::ValueType::kString:
      return Bounded(v.string_value);
    case model::ValueType::kBool:
      return v.bool_value ? "true" : "false";
    case model::ValueType::kInt:
      return std::to_string(v.int_value);
    case model::ValueType::kDouble: {
      char buf[32];
      auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), v.double_value);
      return ec == std::errc() ? std::string(buf, end) : std::string();
    }
    default:
      return std::string();
  }
}

void AddUsage(const model::TokenUsage& u, RollupCell* cell) {
  cell->input_tokens += u.input_tokens.value_or(0);
  cell->output_tokens += u.output_tokens.value_or(0);
  cell->cache_read_input_tokens += u.cache_read_input_tokens.value_or(0);
  cell->cache_creation_input_tokens += u.cache_creation_input_tokens.value_or(0);
  cell->reasoning_tokens += u.reasoning_tokens.value_or(0);
  // A missing total is input + output, as LlmTotals::AddCall counts it.
  cell->total_tokens +=
      u.total_tokens.value_or(u.input_tokens.value_or(0) + u.output_tokens.value_or(0));
}

void AddCost(const model::Cost& c, RollupCell* cell) {
  cell->input_cost_nanos += c.input_nanos;
  cell->cache_read_cost_nanos += c.cache_read_nanos;
  cell->cache_creation_cost_nanos += c.cache_creation_nanos;
  cell->output_cost_nanos += c.output_nanos;
  cell->total_cost_nanos += c.total_nanos;
}

// The integer fields of a cell, in encoding order.
template <typename Cell, typename Fn>
void ForEachSignedField(Cell& c, Fn fn) {
  fn(c.input_tokens);
  fn(c.output_tokens);
  fn(c.cache_read_input_tokens);
  fn(c.cache_creation_input_tokens);
  fn(c.reasoning_tokens);
  fn(c.total_tokens);
  fn(c.input_cost_nanos);
  fn(c.cache_read_cost_nanos);
  fn(c.cache_creation_cost_nanos);
  fn(c.output_cost_nanos);
  fn(c.total_cost_nanos);
}

Status MalformedKey(std::string_view what) {
  return InvalidArgument("malformed rollup key: " + std::string(what));
}
Status MalformedCell(std::string_view what) {
  return InvalidArgument("malformed rollup cell: " + std::string(what));
}

}  // namespace

void RollupCell::Merge(const RollupCell& o) {
  MergeCounts(o);
  latency_ns.Merge(o.latency_ns);
  ttft_ns.Merge(o.ttft_ns);
}

void RollupCell::MergeCounts(const RollupCell& o) {
  requests += o.requests;
  errors += o.errors;
  // Sums of the signed fields wrap like the unsigned ones rather than overflow (UB): a
  // cell never gets near 2^63 tokens or nano-USD with honest data.
  auto add = [](int64_t& mine, int64_t theirs) {
    mine = static_cast<int64_t>(static_cast<uint64_t>(mine) + static_cast<uint64_t>(theirs));
  };
  add(input_tokens, o.input_tokens);
  add(output_tokens, o.output_tokens);
  add(cache_read_input_tokens, o.cache_read_input_tokens);
  add(cache_creation_input_tokens, o.cache_creation_input_tokens);
  add(reasoning_tokens, o.reasoning_tokens);
  add(total_tokens, o.total_tokens);
  add(input_cost_nanos, o.input_cost_nanos);
  add(cache_read_cost_nanos, o.cache_read_cost_nanos);
  add(cache_creation_cost_nanos, o.cache_creation_cost_nanos);
  add(output_cost_nanos, o.output_cost_nanos);
  add(total_cost_nanos, o.total_cost_nanos);
}

namespace {

bool IsDimensionNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '.' || c == '-';
}

StatusOr<AllocationDimension> ParseAllocationDimension(std::string_view item) {
  AllocationDimension dimension;
  const size_t eq = item.find('=');
  dimension.name = std::string(item.substr(0, eq));
  if (dimension.name.empty()) return InvalidArgument("a dimension has no name");
  for (char c : dimension.name) {
    if (!IsDimensionNameChar(c)) {
      return InvalidArgument("dimension name \"" + dimension.name +
                             "\" may hold only letters, digits, '_', '.' and '-'");
    }
  }
  for (std::string_view reserved :
       {"service", "model", "provider", "operation", "error_class", "user", "session"}) {
    if (dimension.name == reserved) {
      return InvalidArgument("\"" + dimension.name + "\" is a built-in dimension");
    }
  }
  if (eq == std::string_view::npos) {
    dimension.key = dimension.name;
    return dimension;
  }
  const std::string_view spec = item.substr(eq + 1);
  const size_t colon = spec.find(':');
  if (colon == std::string_view::npos || colon + 1 == spec.size()) {
    return InvalidArgument("dimension \"" + dimension.name +
                           "\": expected SOURCE:KEY after '=' (attr:, resource: or baggage:)");
  }
  const std::string_view source = spec.substr(0, colon);
  if (source == "attr") {
    dimension.source = DimensionSource::kSpanAttribute;
  } else if (source == "resource") {
    dimension.source = DimensionSource::kResourceAttribute;
  } else if (source == "baggage") {
    dimension.source = DimensionSource::kBaggage;
  } else {
    return InvalidArgument("dimension \"" + dimension.name + "\": unknown source \"" +
                           std::string(source) + "\" (attr, resource or baggage)");
  }
  dimension.key = std::string(spec.substr(colon + 1));
  return dimension;
}

}  // namespace

StatusOr<std::vector<AllocationDimension>> ParseAllocationDimensions(std::string_view text) {
  std::vector<AllocationDimension> out;
  size_t pos = 0;
  while (pos <= text.size() && !text.empty()) {
    size_t comma = text.find(',', pos);
    if (comma == std::string_view::npos) comma = text.size();
    std::string_view item = text.substr(pos, comma - pos);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    TS_ASSIGN_OR_RETURN(AllocationDimension dimension, ParseAllocationDimension(item));
    for (const AllocationDimension& seen : out) {
      if (seen.name == dimension.name) {
        return InvalidArgument("dimension \"" + dimension.name + "\" is named twice");
      }
    }
    out.push_back(std::move(dimension));
    pos = comma + 1;
  }
  return out;
}

std::string DimensionValue(const model::Span& span, const model::Resource& resource,
                           const AllocationDimension& dimension) {
  const model::Attributes& attrs = dimension.source == DimensionSource::kResourceAttribute
                                       ? resource.attributes
                                       : span.attributes;
  const model::AnyValue* value = model::FindAttribute(attrs, dimension.key);
  return value == nullptr ? std::string() : ValueAsString(*value);
}

std::optional<RollupEntry> ContributionOf(const model::Span& span, const model::Resource& resource,
                                          const std::optional<model::LlmInfo>& llm,
                                          model::ErrorClass error_class,
                                          const std::vector<AllocationDimension>& dimensions) {
  if (!llm || !CountsAsRequest(*llm)) return std::nullopt;
  RollupEntry entry;
  RollupKey& key = entry.key;
  key.minute = MinuteOf(span.start_time_unix_nano);
  key.service = Bounded(model::ServiceName(resource));
  key.model = Bounded(llm->model());
  key.provider = Bounded(llm->provider);
  key.operation = Bounded(llm->operation);
  key.error_class = std::string(model::ErrorClassName(error_class));
  key.dimensions.reserve(dimensions.size());
  for (const AllocationDimension& d : dimensions) {
    key.dimensions.emplace_back(d.name, DimensionValue(span, resource, d));
  }

  RollupCell& cell = entry.cell;
  cell.requests = 1;
  cell.errors = error_class == model::ErrorClass::kNone ? 0 : 1;
  AddUsage(llm->usage, &cell);
  if (llm->cost) AddCost(*llm->cost, &cell);
  cell.latency_ns.Add(static_cast<double>(span.duration_ns()));
  if (llm->timing.time_to_first_token_ns) {
    cell.ttft_ns.Add(static_cast<double>(*llm->timing.time_to_first_token_ns));
  }
  return entry;
}

void EncodeKeyDimensions(const RollupKey& key, std::string* out) {
  out->push_back(static_cast<char>(kKeyVersion));
  wire::PutString(key.service, out);
  wire::PutString(key.model, out);
  wire::PutString(key.provider, out);
  wire::PutString(key.operation, out);
  wire::PutString(key.error_class, out);
  wire::PutVarint(key.dimensions.size(), out);
  for (const auto& [name, value] : key.dimensions) {
    wire::PutString(name, out);
    wire::PutString(value, out);
  }
}

Status DecodeKeyDimensions(std::string_view bytes, RollupKey* key) {
  wire::Reader in(bytes);
  const uint8_t version = in.Byte();
  if (!in.ok()) return MalformedKey("empty input");
  if (version != kKeyVersion) return MalformedKey("unsupported version " + std::to_string(version));
  key->service = std::string(in.String());
  key->model = std::string(in.String());
  key->provider = std::string(in.String());
  key->operation = std::string(in.String());
  key->error_class = std::string(in.String());
  const uint64_t n = in.Varint();
  if (!in.ok()) return MalformedKey("truncated");
  if (n > kMaxDimensions) return MalformedKey("too many dimensions");
  key->dimensions.clear();
  for (uint64_t i = 0; i < n; ++i) {
    std::string name(in.String());
    std::string value(in.String());
    key->dimensions.emplace_back(std::move(name), std::move(value));
  }
  if (!in.ok()) return MalformedKey("truncated dimensions");
  if (!in.empty()) return MalformedKey("trailing bytes");
  return Status::Ok();
}

void EncodeCell(const RollupCell& cell, std::string* out) {
  out->push_back(static_cast<char>(kCellVersion));
  wire::PutVarint(cell.requests, out);
  wire::PutVarint(cell.errors, out);
  ForEachSignedField(cell, [&](int64_t v) { wire::PutSignedVarint(v, out); });
  std::string sketch;
  cell.latency_ns.Serialize(&sketch);
  wire::PutString(sketch, out);
  sketch.clear();
  cell.ttft_ns.Serialize(&sketch);
  wire::PutString(sketch, out);
}

Status DecodeCellInto(std::string_view bytes, bool latency, bool ttft, RollupCell* cell) {
  wire::Reader in(bytes);
  const uint8_t version = in.Byte();
  if (!in.ok()) return MalformedCell("empty input");
  if (version != kCellVersion) {
    return MalformedCell("unsupported version " + std::to_string(version));
  }
  cell->requests = in.Varint();
  cell->errors = in.Varint();
  ForEachSignedField(*cell, [&](int64_t& v) { v = in.SignedVarint(); });
  const std::string_view latency_bytes = in.String();
  const std::string_view ttft_bytes = in.String();
  if (!in.ok()) return MalformedCell("truncated");
  if (!in.empty()) return MalformedCell("trailing bytes");
  if (cell->errors > cell->requests) return MalformedCell("more errors than requests");
  auto sketch = [](bool wanted, std::string_view encoded, const char* what,
                   DDSketch* out) -> Status {
    if (!wanted) {
      *out = DDSketch();
      return Status::Ok();
    }
    StatusOr<DDSketch> parsed = DDSketch::Parse(encoded);
    if (!parsed.ok()) return parsed.status().WithContext(what);
    *out = std::move(parsed).value();
    return Status::Ok();
  };
  TS_RETURN_IF_ERROR(sketch(latency, latency_bytes, "rollup cell latency", &cell->latency_ns));
  return sketch(ttft, ttft_bytes, "rollup cell ttft", &cell->ttft_ns);
}

Status SplitEncodedCell(std::string_view bytes, RollupCell* counts, std::string_view* latency,
                        std::string_view* ttft) {
  wire::Reader in(bytes);
  const uint8_t version = in.Byte();
  if (!in.ok()) return MalformedCell("empty input");
  if (version != kCellVersion) {
    return MalformedCell("unsupported version " + std::to_string(version));
  }
  counts->requests = in.Varint();
  counts->errors = in.Varint();
  ForEachSignedField(*counts, [&](int64_t& v) { v = in.SignedVarint(); });
  *latency = in.String();
  *ttft = in.String();
  if (!in.ok()) return MalformedCell("truncated");
  if (!in.empty()) return MalformedCell("trailing bytes");
  if (counts->errors > counts->requests) return MalformedCell("more errors than requests");
  return Status::Ok();
}

Status MergeEncodedCell(std::string_view bytes, bool latency, bool ttft, RollupCell* into) {
  RollupCell counts;  // sketches stay empty: no allocation
  std::string_view latency_bytes;
  std::string_view ttft_bytes;
  TS_RETURN_IF_ERROR(SplitEncodedCell(bytes, &counts, &latency_bytes, &ttft_bytes));
  if (latency) {
    Status merged = into->latency_ns.MergeEncoded(latency_bytes);
    if (!merged.ok()) return merged.WithContext("rollup cell latency");
  }
  if (ttft) {
    Status merged = into->ttft_ns.MergeEncoded(ttft_bytes);
    if (!merged.ok()) return merged.WithContext("rollup cell ttft");
  }
  into->MergeCounts(counts);
  return Status::Ok();
}

StatusOr<RollupCell> DecodeCell(std::string_view bytes) {
  RollupCell cell;
  TS_RETURN_IF_ERROR(DecodeCellInto(bytes, true, true, &cell));
  return cell;
}

}  // namespace tokenscope::rollup
