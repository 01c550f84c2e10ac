// OTLP decoder microbenchmarks (google-benchmark): Tokenscope's zero-copy protobuf decoder and
// its simdjson-based OTLP/JSON decoder against libprotobuf parsing the same bytes into the
// generated OTLP message classes (opentelemetry.proto.collector.trace.v1, from bench/proto/).
//
// Payloads: ExportTraceServiceRequest bodies of 512 spans each (the OTel SDKs' batch size),
// from the workload generator (bench/workload.h, seed 1), encoded with Tokenscope's own
// encoders; four distinct requests, used in turn. Every benchmark reports bytes/s of request
// body and spans/s.
//
// What each side does per request, so the figures are read for what they are:
// - Tokenscope protobuf: decodes into the canonical model (model::SpanBatch): walks every
//   field, validates UTF-8 of strings and the OTLP id rules, copies ids into fixed arrays;
//   strings stay views into the body (zero-copy). It decodes, it does not normalize (no
//   semantic-convention mapping, no pricing: that is a later pipeline stage).
// - libprotobuf: ParseFromArray into a fresh ExportTraceServiceRequest, which validates UTF-8
//   of proto3 strings as well and copies every string and bytes field into a std::string;
//   once with every message on the heap (the plain way), once on an Arena whose first block
//   is preallocated and reused (libprotobuf's fastest mode; long strings still allocate).
//   The message (or arena) is destroyed in the timed loop, as Tokenscope's batch is.
// - Tokenscope JSON: simdjson parse, then the same canonical model; strings are copied into
//   the batch's arena (JSON strings must be unescaped).
// - libprotobuf JSON (reference only): JsonStringToMessage with unknown fields ignored. It
//   accepts OTLP/JSON but reads the hex trace and span ids as base64 (the proto3 JSON mapping
//   of bytes), so the ids it produces are wrong: not a usable OTLP/JSON decoder as is.
//
// At startup every request is decoded by each side and the shapes are compared (resources,
// spans, attributes, events, string bytes, ids); a mismatch aborts the run.
#include <benchmark/benchmark.h>
#include <google/protobuf/arena.h>
#include <google/protobuf/util/json_util.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "bench/workload.h"
#include "model/span.h"
#include "opentelemetry/proto/collector/trace/v1/trace_service.pb.h"
#include "otlp/json_decoder.h"
#include "otlp/json_encoder.h"
#include "otlp/proto_decoder.h"
#include "otlp/proto_encoder.h"

namespace {

namespace pb = google::protobuf;
namespace otlp = tokenscope::otlp;
namespace model = tokenscope::model;
using opentelemetry::proto::collector::trace::v1::ExportTraceServiceRequest;

constexpr size_t kSpansPerRequest = 512;
constexpr size_t kRequests = 4;
// Large enough for every message of one request, so the arena never allocates a second block.
constexpr size_t kArenaBlockBytes = 4 << 20;

struct Payloads {
  std::vector<std::string> proto;
  std::vector<std::string> json;
};

const Payloads& GetPayloads() {
  static const Payloads* payloads = [] {
    auto* p = new Payloads;
    tokenscope::bench::WorkloadOptions options;
    options.seed = 1;
    tokenscope::bench::WorkloadGenerator generator(options);
    for (size_t i = 0; i < kRequests; ++i) {
      model::SpanBatch batch;
      batch.project = "bench";
      generator.FillBatch(&batch, kSpansPerRequest);
      // The generator appends whole traces; an SDK batch is cut at 512 spans regardless.
      batch.spans.resize(kSpansPerRequest);
      p->proto.push_back(otlp::EncodeTraceRequestProto(batch));
      p->json.push_back(otlp::EncodeTraceRequestJson(batch));
    }
    return p;
  }();
  return *payloads;
}

// What a decoded request holds, computed the same way from both sides' outputs.
struct Shape {
  uint64_t resources = 0;
  uint64_t resource_attributes = 0;
  uint64_t spans = 0;
  uint64_t span_attributes = 0;
  uint64_t events = 0;
  uint64_t event_attributes = 0;
  uint64_t string_bytes = 0;  // span names, attribute keys and string values
  std::string first_trace_id;
  std::string last_span_id;

  bool SameCounts(const Shape& o) const {
    return resources == o.resources && resource_attributes == o.resource_attributes &&
           spans == o.spans && span_attributes == o.span_attributes && events == o.events &&
           event_attributes == o.event_attributes && string_bytes == o.string_bytes;
  }
  bool SameIds(const Shape& o) const {
    return first_trace_id == o.first_trace_id && last_span_id == o.last_span_id;
  }
  std::string ToString() const {
    char buf[256];
    std::snprintf(
        buf, sizeof(buf),
        "resources=%llu resource_attributes=%llu spans=%llu span_attributes=%llu "
        "events=%llu event_attributes=%llu string_bytes=%llu trace_id_bytes=%zu",
        static_cast<unsigned long long>(resources),
        static_cast<unsigned long long>(resource_attributes),
        static_cast<unsigned long long>(spans), static_cast<unsigned long long>(span_attributes),
        static_cast<unsigned long long>(events), static_cast<unsigned long long>(event_attributes),
        static_cast<unsigned long long>(string_bytes), first_trace_id.size());
    return buf;
  }
};

Shape ShapeOf(const model::SpanBatch& batch) {
  Shape s;
  s.resources = batch.resources.size();
  for (const auto& r : batch.resources) s.resource_attributes += r.attributes.size();
  s.spans = batch.spans.size();
  for (const auto& span : batch.spans) {
    s.span_attributes += span.attributes.size();
    s.string_bytes += span.name.size();
    for (const auto& kv : span.attributes) {
      s.string_bytes += kv.key.size();
      if (kv.value.type == model::ValueType::kString)
        s.string_bytes += kv.value.string_value.size();
    }
    s.events += span.events.size();
    for (const auto& e : span.events) s.event_attributes += e.attributes.size();
  }
  if (!batch.spans.empty()) {
    s.first_trace_id = std::string(model::AsBytes(batch.spans.front().trace_id));
    s.last_span_id = std::string(model::AsBytes(batch.spans.back().span_id));
  }
  return s;
}

Shape ShapeOf(const ExportTraceServiceRequest& request) {
  Shape s;
  const opentelemetry::proto::trace::v1::Span* first = nullptr;
  const opentelemetry::proto::trace::v1::Span* last = nullptr;
  for (const auto& rs : request.resource_spans()) {
    ++s.resources;
    s.resource_attributes += rs.resource().attributes_size();
    for (const auto& ss : rs.scope_spans()) {
      for (const auto& span : ss.spans()) {
        if (first == nullptr) first = &span;
        last = &span;
        ++s.spans;
        s.span_attributes += span.attributes_size();
        s.string_bytes += span.name().size();
        for (const auto& kv : span.attributes()) {
          s.string_bytes += kv.key().size();
          if (kv.value().has_string_value()) s.string_bytes += kv.value().string_value().size();
        }
        s.events += span.events_size();
        for (const auto& e : span.events()) s.event_attributes += e.attributes_size();
      }
    }
  }
  if (first != nullptr) {
    s.first_trace_id = first->trace_id();
    s.last_span_id = last->span_id();
  }
  return s;
}

pb::util::JsonParseOptions OtlpJsonOptions() {
  pb::util::JsonParseOptions options;
  options.ignore_unknown_fields = true;  // OTLP receivers must ignore unknown fields
  return options;
}

[[noreturn]] void Fail(const std::string& what) {
  std::fprintf(stderr, "decoder_bench: %s\n", what.c_str());
  std::abort();
}

// Decodes every request with every decoder and compares the results: the benchmarks compare
// like with like only if all sides see the same spans.
void CheckAgreement() {
  const Payloads& p = GetPayloads();
  size_t proto_bytes = 0, json_bytes = 0;
  bool pb_json_ok = true, pb_json_ids_ok = true;
  size_t pb_json_trace_id_bytes = 0;
  std::vector<char> block(kArenaBlockBytes);
  for (size_t i = 0; i < kRequests; ++i) {
    model::SpanBatch proto_batch;
    otlp::DecodeResult proto_result;
    auto st = otlp::DecodeTraceRequestProto(p.proto[i], &proto_batch, &proto_result);
    if (!st.ok()) Fail("Tokenscope protobuf decode failed: " + st.ToString());
    const Shape ts = ShapeOf(proto_batch);
    if (ts.spans != kSpansPerRequest || proto_result.rejected_spans != 0) {
      Fail("Tokenscope protobuf decode: " + ts.ToString());
    }

    ExportTraceServiceRequest heap;
    if (!heap.ParseFromArray(p.proto[i].data(), static_cast<int>(p.proto[i].size()))) {
      Fail("libprotobuf ParseFromArray failed");
    }
    const Shape lib = ShapeOf(heap);
    if (!lib.SameCounts(ts) || !lib.SameIds(ts)) {
      Fail("libprotobuf and Tokenscope disagree:\n  libprotobuf " + lib.ToString() +
           "\n  tokenscope  " + ts.ToString());
    }

    model::SpanBatch json_batch;
    otlp::DecodeResult json_result;
    st = otlp::DecodeTraceRequestJson(p.json[i], &json_batch, &json_result);
    if (!st.ok()) Fail("Tokenscope JSON decode failed: " + st.ToString());
    const Shape tj = ShapeOf(json_batch);
    if (!tj.SameCounts(ts) || !tj.SameIds(ts)) {
      Fail("Tokenscope JSON and protobuf decodes disagree:\n  json  " + tj.ToString() +
           "\n  proto " + ts.ToString());
    }

    ExportTraceServiceRequest from_json;
    auto js = pb::util::JsonStringToMessage(p.json[i], &from_json, OtlpJsonOptions());
    if (!js.ok()) {
      pb_json_ok = false;
      std::fprintf(stderr, "libprotobuf JSON rejects OTLP/JSON: %s\n", js.ToString().c_str());
    } else {
      const Shape lj = ShapeOf(from_json);
      if (!lj.SameCounts(ts)) {
        Fail("libprotobuf JSON and Tokenscope disagree:\n  libprotobuf " + lj.ToString() +
             "\n  tokenscope  " + ts.ToString());
      }
      pb_json_ids_ok = pb_json_ids_ok && lj.SameIds(ts);
      pb_json_trace_id_bytes = lj.first_trace_id.size();
    }

    // The arena variant must hold the same, and fit the preallocated block.
    pb::ArenaOptions options;
    options.initial_block = block.data();
    options.initial_block_size = block.size();
    pb::Arena arena(options);
    auto* on_arena = pb::Arena::CreateMessage<ExportTraceServiceRequest>(&arena);
    if (!on_arena->ParseFromArray(p.proto[i].data(), static_cast<int>(p.proto[i].size())) ||
        !ShapeOf(*on_arena).SameCounts(ts)) {
      Fail("libprotobuf (arena) parse failed or disagrees");
    }
    if (arena.SpaceAllocated() > kArenaBlockBytes) Fail("arena outgrew its first block");

    proto_bytes += p.proto[i].size();
    json_bytes += p.json[i].size();
    if (i == 0) {
      std::fprintf(stderr, "request 0: %s\n", ts.ToString().c_str());
      std::fprintf(stderr, "request 0 on a libprotobuf arena: %lld bytes of messages\n",
                   static_cast<long long>(arena.SpaceUsed()));
    }
  }
  std::fprintf(stderr,
               "workload: %zu requests of %zu spans; protobuf %.0f bytes/span, JSON %.0f "
               "bytes/span; libprotobuf, Tokenscope protobuf and JSON decodes agree\n",
               kRequests, kSpansPerRequest,
               double(proto_bytes) / double(kRequests * kSpansPerRequest),
               double(json_bytes) / double(kRequests * kSpansPerRequest));
  if (pb_json_ok && !pb_json_ids_ok) {
    std::fprintf(stderr,
                 "libprotobuf JSON accepts OTLP/JSON with the same counts, but reads the hex ids "
                 "as base64 (trace_id: %zu bytes instead of 16): ids wrong, reference only\n",
                 pb_json_trace_id_bytes);
  }
}

// Times `decode` over the bodies in turn and reports bytes/s and spans/s. `decode` returns
// the spans it decoded and sets `error` on failure; what it builds is destroyed inside the
// timed loop.
template <typename Decode>
void Measure(benchmark::State& state, const std::vector<std::string>& bodies, Decode decode) {
  uint64_t bytes = 0, spans = 0;
  size_t i = 0;
  std::string error;
  for (auto _ : state) {
    const std::string& body = bodies[i++ % bodies.size()];
    spans += decode(body, &error);
    if (!error.empty()) {
      state.SkipWithError(error.c_str());
      break;
    }
    bytes += body.size();
  }
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
  state.counters["spans"] = benchmark::Counter(double(spans), benchmark::Counter::kIsRate);
}

// (a) Tokenscope protobuf -> canonical batch (zero-copy views into the body).
void BM_TokenscopeProto(benchmark::State& state) {
  Measure(state, GetPayloads().proto, [](const std::string& body, std::string* error) {
    model::SpanBatch batch;
    otlp::DecodeResult result;
    auto st = otlp::DecodeTraceRequestProto(body, &batch, &result);
    if (!st.ok()) *error = st.ToString();
    benchmark::DoNotOptimize(batch.spans.data());
    return batch.spans.size();
  });
}
BENCHMARK(BM_TokenscopeProto)->Unit(benchmark::kMicrosecond);

// (b) libprotobuf, every message on the heap, a fresh request message each time.
void BM_LibprotobufHeap(benchmark::State& state) {
  Measure(state, GetPayloads().proto, [](const std::string& body, std::string* error) {
    ExportTraceServiceRequest request;
    if (!request.ParseFromArray(body.data(), static_cast<int>(body.size()))) {
      *error = "ParseFromArray failed";
    }
    benchmark::DoNotOptimize(&request);
    return kSpansPerRequest;
  });
}
BENCHMARK(BM_LibprotobufHeap)->Unit(benchmark::kMicrosecond);

// (c) libprotobuf on an Arena whose first block is allocated once and reused: no allocation
// for the messages themselves, only for strings longer than the small-string buffer.
void BM_LibprotobufArena(benchmark::State& state) {
  std::vector<char> block(kArenaBlockBytes);
  pb::ArenaOptions options;
  options.initial_block = block.data();
  options.initial_block_size = block.size();
  Measure(state, GetPayloads().proto, [&](const std::string& body, std::string* error) {
    pb::Arena arena(options);
    auto* request = pb::Arena::CreateMessage<ExportTraceServiceRequest>(&arena);
    if (!request->ParseFromArray(body.data(), static_cast<int>(body.size()))) {
      *error = "ParseFromArray failed";
    }
    benchmark::DoNotOptimize(request);
    return kSpansPerRequest;
  });
}
BENCHMARK(BM_LibprotobufArena)->Unit(benchmark::kMicrosecond);

// (d) Tokenscope OTLP/JSON -> canonical batch (strings copied into the batch's arena).
void BM_TokenscopeJson(benchmark::State& state) {
  Measure(state, GetPayloads().json, [](const std::string& body, std::string* error) {
    model::SpanBatch batch;
    otlp::DecodeResult result;
    auto st = otlp::DecodeTraceRequestJson(body, &batch, &result);
    if (!st.ok()) *error = st.ToString();
    benchmark::DoNotOptimize(batch.spans.data());
    return batch.spans.size();
  });
}
BENCHMARK(BM_TokenscopeJson)->Unit(benchmark::kMicrosecond);

// (e) Reference: libprotobuf's proto3 JSON parser on the same OTLP/JSON. Its ids come out
// wrong (hex read as base64); see the header comment.
void BM_LibprotobufJson(benchmark::State& state) {
  const pb::util::JsonParseOptions options = OtlpJsonOptions();
  Measure(state, GetPayloads().json, [&](const std::string& body, std::string* error) {
    ExportTraceServiceRequest request;
    auto st = pb::util::JsonStringToMessage(body, &request, options);
    if (!st.ok()) *error = st.ToString();
    benchmark::DoNotOptimize(&request);
    return kSpansPerRequest;
  });
}
BENCHMARK(BM_LibprotobufJson)->Unit(benchmark::kMicrosecond);

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  CheckAgreement();
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
