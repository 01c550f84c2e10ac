// tokenscope-analytics-bench: the analytics targets at scale, in one process, through the same
// code the server runs.
//
//  1. Rollup cost at ingest: the same OTLP requests through IngestService::ExportTraces into
//     fresh stores with rollups on and off, alternating; process CPU time (all threads,
//     RocksDB's included) per span, medians.
//  2. Load: --spans LLM calls spread over --hours, sent through IngestService with rollups on
//     (skipped when --data already holds a loaded store and --reuse is given).
//  3. Queries through AnalyticsApi, as GET /api/v1/metrics and /api/v1/costs would run them
//     minus the socket: the dashboard (latency p50/p95/p99, input and output tokens and cost
//     by model, 1-minute step over the whole range) and cost allocation by team x model over
//     30 days; median and p95 wall time of --repeat runs.
//  4. Trace queries through QueryApi, as GET /api/v1/traces[/{id}] would run them: fetching a
//     1,000-span agent trace (written into the store once, next to the calls), and the first
//     page of a trace search, broad (no filter) and with selective LLM filters; median and p99
//     of 5 x --repeat runs.
//
// Prints RESULT lines for docs/benchmarks.md. Single-threaded queries; ingest uses --threads.
#include <sys/resource.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <functional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "enrich/pricing.h"
#include "model/span.h"
#include "otlp/proto_encoder.h"
#include "rollup/aggregator.h"
#include "server/analytics_api.h"
#include "server/ingest_service.h"
#include "server/query_api.h"
#include "server/url.h"
#include "store/store_factory.h"

namespace tokenscope::bench {
namespace {

using Clock = std::chrono::steady_clock;
constexpr uint64_t kNanosPerHour = 3'600'000'000'000ULL;
constexpr std::string_view kProject = "bench";

struct Options {
  std::string data_dir = "/tmp/tokenscope-analytics-bench";
  uint64_t spans = 10'000'000;
  double hours = 24;
  size_t batch_spans = 2'000;
  int threads = 4;
  int repeat = 20;
  uint64_t overhead_spans = 400'000;
  int overhead_rounds = 3;
  bool reuse = false;
};

// A service, the team that owns it, and the models and features it uses: realistic
// cardinality, where a service calls two or three models for a handful of features.
struct Service {
  std::string name;
  std::string team;
  std::vector<std::string> models;
  std::vector<std::string> features;
};

const std::vector<Service>& Services() {
  static const std::vector<Service> services = {
      {"rag-api",
       "search",
       {"gpt-4o", "gpt-4o-mini", "text-embedding-3-small"},
       {"answer", "rerank", "embed"}},
      {"support-bot", "support", {"claude-sonnet-4-5", "claude-haiku-4-5"}, {"reply", "triage"}},
      {"summarizer", "docs", {"gpt-4o-mini", "gemini-2.5-flash"}, {"summary", "title"}},
      {"code-review", "platform", {"claude-sonnet-4-5", "gpt-4o"}, {"review", "explain", "fix"}},
      {"ads-writer", "ads", {"gpt-4o", "mistral-large-latest"}, {"headline", "body"}},
  };
  return services;
}

std::string_view ProviderOf(std::string_view model) {
  if (model.starts_with("claude")) return "anthropic";
  if (model.starts_with("gemini")) return "gcp.gemini";
  if (model.starts_with("mistral")) return "mistral_ai";
  return "openai";
}

// One OTLP request of `count` LLM calls starting at `first_start`, `spacing` apart.
std::string MakeRequest(std::mt19937_64& rng, size_t count, uint64_t first_start,
                        uint64_t spacing) {
  model::SpanBatch batch;
  for (const Service& s : Services()) {
    model::Resource& r = batch.resources.emplace_back();
    r.attributes.push_back({"service.name", model::AnyValue::String(s.name)});
    r.attributes.push_back({"team", model::AnyValue::String(s.team)});
  }
  batch.scopes.emplace_back().name = "bench";
  std::lognormal_distribution<double> duration_ms(6.5, 0.8);
  std::uniform_int_distribution<int> input_tokens(50, 8000);
  std::uniform_int_distribution<int> output_tokens(5, 1200);
  std::uniform_real_distribution<double> unit(0, 1);
  for (size_t i = 0; i < count; ++i) {
    const size_t service_index = rng() % Services().size();
    const Service& service = Services()[service_index];
    const std::string& model = service.models[rng() % service.models.size()];
    const bool embedding = model.starts_with("text-embedding");
    model::Span& span = batch.spans.emplace_back();
    span.resource_index = static_cast<uint32_t>(service_index);
    for (auto& b : span.trace_id) b = static_cast<uint8_t>(rng());
    for (auto& b : span.span_id) b = static_cast<uint8_t>(rng());
    span.name = batch.Adopt((embedding ? "embeddings " : "chat ") + model);
    span.kind = model::SpanKind::kClient;
    span.start_time_unix_nano = first_start + i * spacing;
    const double ms = std::min(duration_ms(rng), 60'000.0);
    span.end_time_unix_nano = span.start_time_unix_nano + static_cast<uint64_t>(ms * 1e6);
    auto& a = span.attributes;
    a.push_back(
        {"gen_ai.operation.name", model::AnyValue::String(embedding ? "embeddings" : "chat")});
    a.push_back({"gen_ai.provider.name", model::AnyValue::String(ProviderOf(model))});
    a.push_back({"gen_ai.request.model", model::AnyValue::String(model)});
    a.push_back(
        {"feature", model::AnyValue::String(service.features[rng() % service.features.size()])});
    if (unit(rng) < 0.02) {
      span.status.code = model::StatusCode::kError;
      span.status.message = "429 Rate limit reached";
      a.push_back({"error.type", model::AnyValue::String("429")});
      continue;
    }
    a.push_back({"gen_ai.response.model", model::AnyValue::String(model)});
    a.push_back({"gen_ai.usage.input_tokens", model::AnyValue::Int(input_tokens(rng))});
    if (!embedding) {
      a.push_back({"gen_ai.usage.output_tokens", model::AnyValue::Int(output_tokens(rng))});
      a.push_back({"gen_ai.response.time_to_first_chunk",
                   model::AnyValue::Double(ms / 1000.0 * (0.1 + 0.3 * unit(rng)))});
    }
  }
  return otlp::EncodeTraceRequestProto(batch);
}

double ProcessCpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& t) { return double(t.tv_sec) + double(t.tv_usec) / 1e6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

struct Ingest {
  std::unique_ptr<store::Store> store;
  std::unique_ptr<rollup::Aggregator> aggregator;
  std::unique_ptr<server::IngestService> service;
};

std::vector<rollup::AllocationDimension> Dimensions() {
  return *rollup::ParseAllocationDimensions("team=resource:team,feature");
}

Ingest OpenIngest(const std::string& dir, const enrich::PriceTable* prices, bool rollups) {
  Ingest ingest;
  store::EmbeddedStoreOptions options;
  options.data_dir = dir;
  auto opened = store::OpenEmbeddedStore(options);
  if (!opened.ok()) {
    std::fprintf(stderr, "open %s: %s\n", dir.c_str(), opened.status().ToString().c_str());
    std::exit(1);
  }
  ingest.store = std::move(opened).value();
  server::IngestOptions io;
  if (rollups) {
    ingest.aggregator = std::make_unique<rollup::Aggregator>();
    io.rollups = ingest.aggregator.get();
    io.rollup_dimensions = Dimensions();
  }
  ingest.service = std::make_unique<server::IngestService>(ingest.store.get(), prices, io);
  return ingest;
}

// Sends `requests` through `threads` threads; returns the wall seconds.
double Send(server::IngestService& service, const std::vector<std::string>& requests, int threads) {
  std::atomic<size_t> next{0};
  std::atomic<uint64_t> failures{0};
  const auto start = Clock::now();
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&] {
      for (size_t i; (i = next.fetch_add(1)) < requests.size();) {
        auto outcome =
            service.ExportTraces(std::string(kProject), requests[i], server::WireFormat::kProtobuf);
        if (outcome.kind != server::ExportOutcome::Kind::kStored) failures.fetch_add(1);
      }
    });
  }
  for (auto& w : workers) w.join();
  if (failures.load() != 0) {
    std::fprintf(stderr, "%llu requests failed\n", static_cast<unsigned long long>(failures));
    std::exit(1);
  }
  return std::chrono::duration<double>(Clock::now() - start).count();
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}
double P95(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(0.95 * double(v.size())))];
}

void MeasureRollupOverhead(const Options& o, const enrich::PriceTable* prices) {
  std::mt19937_64 rng(11);
  std::vector<std::string> requests;
  const uint64_t start = 1'795'000'000'000'000'000ULL;
  const uint64_t spacing = 100'000'000;  // 10 calls/s
  for (uint64_t sent = 0; sent < o.overhead_spans; sent += o.batch_spans) {
    requests.push_back(MakeRequest(rng, o.batch_spans, start + sent * spacing, spacing));
  }
  std::vector<double> on, off;
  for (int round = 0; round < o.overhead_rounds; ++round) {
    for (bool rollups : {false, true}) {
      const std::string dir = o.data_dir + "-overhead";
      std::filesystem::remove_all(dir);
      double cpu_before = ProcessCpuSeconds();
      {
        Ingest ingest = OpenIngest(dir, prices, rollups);
        Send(*ingest.service, requests, o.threads);
      }  // closing flushes: its CPU counts too
      const double us_per_span =
          (ProcessCpuSeconds() - cpu_before) / double(o.overhead_spans) * 1e6;
      (rollups ? on : off).push_back(us_per_span);
      std::printf("overhead round %d rollups=%d: %.2f us CPU per span\n", round, rollups,
                  us_per_span);
    }
  }
  std::filesystem::remove_all(o.data_dir + "-overhead");
  const double a = Median(off), b = Median(on);
  std::printf(
      "RESULT rollup_ingest_cpu off_us_per_span=%.2f on_us_per_span=%.2f overhead_pct=%.1f\n", a, b,
      100.0 * (b - a) / a);
}

void Load(const Options& o, const enrich::PriceTable* prices, uint64_t start) {
  std::filesystem::remove_all(o.data_dir);
  Ingest ingest = OpenIngest(o.data_dir, prices, true);
  const uint64_t range = static_cast<uint64_t>(o.hours * double(kNanosPerHour));
  const uint64_t spacing = range / o.spans;
  std::mt19937_64 rng(5);
  const auto began = Clock::now();
  const double cpu_before = ProcessCpuSeconds();
  uint64_t sent = 0;
  const size_t chunk_requests = 64;  // generate a little, send it, repeat: bounded memory
  while (sent < o.spans) {
    std::vector<std::string> requests;
    for (size_t r = 0; r < chunk_requests && sent < o.spans; ++r) {
      const size_t n = std::min<uint64_t>(o.batch_spans, o.spans - sent);
      requests.push_back(MakeRequest(rng, n, start + sent * spacing, spacing));
      sent += n;
    }
    Send(*ingest.service, requests, o.threads);
    if (sent % 1'000'000 < o.batch_spans * chunk_requests) {
      std::fprintf(stderr, "loaded %llu spans\n", static_cast<unsigned long long>(sent));
    }
  }
  const double seconds = std::chrono::duration<double>(Clock::now() - began).count();
  std::printf("RESULT load spans=%llu seconds=%.1f spans_per_s=%.0f cpu_s=%.1f\n",
              static_cast<unsigned long long>(o.spans), seconds, double(o.spans) / seconds,
              ProcessCpuSeconds() - cpu_before);
}

// Times one GET through the API handler `call`; returns milliseconds, checks for 200 (and,
// for analytics queries, that rollups answered).
template <typename Call>
double TimeQuery(Call call, const std::string& target, bool rollups = true) {
  server::HttpRequest req{server::http::verb::get, target, 11};
  auto parsed = server::ParseTarget(target);
  const auto began = Clock::now();
  server::HttpResponse res = call(req, *parsed);
  const double ms = std::chrono::duration<double, std::milli>(Clock::now() - began).count();
  if (res.result() != server::http::status::ok) {
    std::fprintf(stderr, "%s: %d %s\n", target.c_str(), res.result_int(), res.body().c_str());
    std::exit(1);
  }
  if (rollups && res.body().find("\"path\":\"rollup\"") == std::string::npos) {
    std::fprintf(stderr, "%s was not answered from rollups\n", target.c_str());
    std::exit(1);
  }
  return ms;
}

// An agent run of 1,000 spans: a root, 333 steps under it, each an LLM-free planning span with
// a tool call and a retrieval under it. Fixed ids, so that writing it again changes nothing.
model::SpanBatch BigTrace(uint64_t start) {
  model::SpanBatch batch;
  batch.project = std::string(kProject);
  model::Resource& resource = batch.resources.emplace_back();
  resource.attributes.push_back({"service.name", model::AnyValue::String("agent-runner")});
  batch.scopes.emplace_back().name = "bench";
  model::TraceId trace_id;
  trace_id.fill(0xab);
  auto make = [&](uint32_t n, uint32_t parent, std::string_view name, uint64_t at) {
    model::Span& span = batch.spans.emplace_back();
    span.trace_id = trace_id;
    span.span_id.fill(0);
    std::memcpy(span.span_id.data(), &n, sizeof(n));
    span.span_id[7] = 1;
    if (parent != UINT32_MAX) {
      std::memcpy(span.parent_span_id.data(), &parent, sizeof(parent));
      span.parent_span_id[7] = 1;
    }
    span.name = name;
    span.start_time_unix_nano = at;
    span.end_time_unix_nano = at + 40'000'000;
    span.attributes.push_back({"step", model::AnyValue::Int(n)});
  };
  make(0, UINT32_MAX, "invoke_agent planner", start);
  for (uint32_t step = 0; step < 333; ++step) {
    const uint32_t id = 1 + 3 * step;
    const uint64_t at = start + step * 50'000'000ULL;
    make(id, 0, "plan step", at);
    make(id + 1, id, "execute_tool search", at + 1'000'000);
    make(id + 2, id, "vector_db.query", at + 2'000'000);
  }
  batch.spans[0].end_time_unix_nano = start + 333 * 50'000'000ULL;
  return batch;
}

void TraceQueries(store::Store& store, const enrich::PriceTable* prices, const Options& o,
                  uint64_t start, uint64_t end) {
  const uint64_t middle = start + (end - start) / 2;
  if (Status written = store.Write(BigTrace(middle)); !written.ok()) {
    std::fprintf(stderr, "write the 1,000-span trace: %s\n", written.ToString().c_str());
    std::exit(1);
  }
  server::QueryApi api(&store, prices);
  std::string hex;
  for (int i = 0; i < 16; ++i) hex += "ab";
  auto get_trace = [&](const server::HttpRequest& req, const server::ParsedTarget& t) {
    return api.GetTrace(std::string(kProject), req, t, hex);
  };
  auto search = [&](const server::HttpRequest& req, const server::ParsedTarget& t) {
    return api.SearchTraces(std::string(kProject), req, t);
  };
  const std::string range = "&start=" + std::to_string(start) + "&end=" + std::to_string(end);
  struct Case {
    const char* name;
    std::function<double()> run;
  };
  const std::vector<Case> cases = {
      {"trace fetch 1,000 spans",
       [&] { return TimeQuery(get_trace, "/api/v1/traces/" + hex, false); }},
      {"search first page, no filter",
       [&] { return TimeQuery(search, "/api/v1/traces?limit=20" + range, false); }},
      {"search first page, model = gemini-2.5-flash",
       [&] {
         return TimeQuery(
             search, "/api/v1/traces?limit=20&filter=model%20%3D%20%22gemini-2.5-flash%22" + range,
             false);
       }},
      {"search first page, model = mistral-large-latest and duration > 5s",
       [&] {
         return TimeQuery(search,
                          "/api/v1/traces?limit=20&filter=model%20%3D%20%22mistral-large-latest%22"
                          "%20and%20duration%20%3E%205s" +
                              range,
                          false);
       }},
      {"search first page, status = error",
       [&] {
         return TimeQuery(search, "/api/v1/traces?limit=20&filter=status%20%3D%20error" + range,
                          false);
       }},
  };
  for (const Case& c : cases) {
    std::vector<double> times;
    for (int run = 0; run < 5 * o.repeat; ++run) times.push_back(c.run());
    std::sort(times.begin(), times.end());
    const double p99 =
        times[std::min(times.size() - 1, static_cast<size_t>(0.99 * double(times.size())))];
    std::printf("RESULT %s: median_ms=%.2f p99_ms=%.2f runs=%zu\n", c.name, Median(times), p99,
                times.size());
  }
}

void Queries(const Options& o, const enrich::PriceTable* prices, uint64_t start) {
  store::EmbeddedStoreOptions options;
  options.data_dir = o.data_dir;
  auto store = store::OpenEmbeddedStore(options);
  if (!store.ok()) {
    std::fprintf(stderr, "%s\n", store.status().ToString().c_str());
    std::exit(1);
  }
  server::AnalyticsApi api(store->get(), prices, Dimensions(), nullptr);
  const uint64_t end = start + static_cast<uint64_t>(o.hours * double(kNanosPerHour));
  const std::string range = "&start=" + std::to_string(start) + "&end=" + std::to_string(end);
  const std::vector<std::string> dashboard = {"metric=latency&agg=p50", "metric=latency&agg=p95",
                                              "metric=latency&agg=p99", "metric=input_tokens",
                                              "metric=output_tokens",   "metric=cost"};
  auto metrics = [&](const server::HttpRequest& req, const server::ParsedTarget& t) {
    return api.Metrics(std::string(kProject), req, t);
  };
  auto costs = [&](const server::HttpRequest& req, const server::ParsedTarget& t) {
    return api.Costs(std::string(kProject), req, t);
  };
  // The first dashboard load finds the cache empty: report it apart.
  std::vector<double> whole;
  std::vector<std::vector<double>> each(dashboard.size());
  std::vector<double> allocation;
  const uint64_t month_start = end - 30 * 24 * kNanosPerHour;
  for (int run = 0; run < o.repeat; ++run) {
    double sum = 0;
    for (size_t q = 0; q < dashboard.size(); ++q) {
      const double ms =
          TimeQuery(metrics, "/api/v1/metrics?" + dashboard[q] + "&group_by=model&step=1m" + range);
      each[q].push_back(ms);
      sum += ms;
    }
    whole.push_back(sum);
    if (run == 0) std::printf("RESULT dashboard (6 queries) first_ms=%.1f\n", sum);
    allocation.push_back(
        TimeQuery(costs, "/api/v1/costs?group_by=team,model&start=" + std::to_string(month_start) +
                             "&end=" + std::to_string(end)));
  }
  for (size_t q = 0; q < dashboard.size(); ++q) {
    std::printf("RESULT query %s by model 1m: median_ms=%.1f p95_ms=%.1f\n", dashboard[q].c_str(),
                Median(each[q]), P95(each[q]));
  }
  std::printf("RESULT dashboard (6 queries) median_ms=%.1f p95_ms=%.1f\n", Median(whole),
              P95(whole));
  // The same six in one request: one pass over the cells.
  std::vector<double> combined;
  for (int run = 0; run < o.repeat; ++run) {
    combined.push_back(TimeQuery(metrics,
                                 "/api/v1/metrics?metric=latency:p50,latency:p95,latency:p99,"
                                 "input_tokens,output_tokens,cost&group_by=model&step=1m" +
                                     range));
  }
  std::printf("RESULT dashboard (one request) median_ms=%.1f p95_ms=%.1f first_ms=%.1f\n",
              Median(combined), P95(combined), combined.front());
  std::printf("RESULT cost_allocation team x model 30d median_ms=%.1f p95_ms=%.1f\n",
              Median(allocation), P95(allocation));
  TraceQueries(**store, prices, o, start, end);
}

}  // namespace
}  // namespace tokenscope::bench

int main(int argc, char** argv) {
  using namespace tokenscope::bench;
  Options o;
  CLI::App app{"Tokenscope analytics benchmark (rollup ingest cost, dashboard and cost queries)"};
  app.add_option("--data", o.data_dir, "Where the loaded store lives");
  app.add_option("--spans", o.spans, "LLM calls to load");
  app.add_option("--hours", o.hours, "Time range the calls are spread over");
  app.add_option("--threads", o.threads, "Ingest threads");
  app.add_option("--repeat", o.repeat, "Runs of each query");
  app.add_option("--overhead-spans", o.overhead_spans, "Spans per rollup-overhead round (0: skip)");
  app.add_option("--overhead-rounds", o.overhead_rounds,
                 "Rounds of the rollup-overhead comparison");
  app.add_flag("--reuse", o.reuse, "Query the store already in --data instead of loading");
  CLI11_PARSE(app, argc, argv);
  auto prices = tokenscope::enrich::PriceTable::Builtin();
  if (!prices.ok()) return 1;
  // A fixed range in the recent past, whole hours.
  const uint64_t start = 1'795'000'000'000'000'000ULL / kNanosPerHour * kNanosPerHour;
  if (o.overhead_spans > 0) MeasureRollupOverhead(o, &*prices);
  if (!o.reuse) Load(o, &*prices, start);
  Queries(o, &*prices, start);
  return 0;
}
