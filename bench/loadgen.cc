// tokenscope-loadgen: drives OTLP/HTTP ingest over loopback with LLM-shaped traces and
// reports durable-ack throughput and latency; optionally measures the store-only ceiling (the
// rate at which the embedded store alone commits the same pre-decoded batches).
//
//   tokenscope-loadgen --endpoint 127.0.0.1:4318 --connections 4 --batch 512 --seconds 10
//   tokenscope-loadgen --store-ceiling /tmp/ceiling --connections 4 --batch 512 --seconds 10

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <mutex>
#include <thread>
#include <vector>

#include "base/gzip.h"
#include "bench/workload.h"
#include "otlp/json_encoder.h"
#include "otlp/proto_encoder.h"
#include "store/store_factory.h"

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace tokenscope::bench {
namespace {

struct Options {
  std::string endpoint = "127.0.0.1:4318";
  std::string store_ceiling_dir;
  int connections = 4;
  size_t batch_spans = 512;
  double seconds = 10;
  int prebuilt = 32;
  std::string format = "proto";
  bool gzip = false;
  uint64_t seed = 1;
};

struct Request {
  std::string body;
  size_t spans = 0;
};

struct Totals {
  std::atomic<uint64_t> spans{0};
  std::atomic<uint64_t> bytes{0};
  std::atomic<uint64_t> requests{0};
  std::atomic<uint64_t> failures{0};
  std::mutex mu;
  std::vector<double> latencies_ms;
};

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * double(v.size())))];
}

void HttpWorker(const Options& o, const std::vector<Request>& requests, int index,
                Clock::time_point deadline, Totals* totals) {
  net::io_context ioc;
  tcp::resolver resolver(ioc);
  auto colon = o.endpoint.rfind(':');
  auto results = resolver.resolve(o.endpoint.substr(0, colon), o.endpoint.substr(colon + 1));
  beast::tcp_stream stream(ioc);
  stream.connect(results);
  beast::flat_buffer buffer;
  std::vector<double> latencies;
  size_t next = static_cast<size_t>(index);
  while (Clock::now() < deadline) {
    const Request& r = requests[next % requests.size()];
    next += static_cast<size_t>(o.connections);
    http::request<http::string_body> req{http::verb::post, "/v1/traces", 11};
    req.set(http::field::host, o.endpoint);
    req.set(http::field::content_type,
            o.format == "json" ? "application/json" : "application/x-protobuf");
    if (o.gzip) req.set(http::field::content_encoding, "gzip");
    req.body() = r.body;
    req.prepare_payload();
    auto t0 = Clock::now();
    http::write(stream, req);
    http::response<http::string_body> res;
    http::read(stream, buffer, res);
    double ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
    if (res.result() == http::status::ok) {
      totals->spans += r.spans;
      totals->bytes += r.body.size();
      latencies.push_back(ms);
    } else {
      totals->failures++;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    totals->requests++;
  }
  std::lock_guard lock(totals->mu);
  totals->latencies_ms.insert(totals->latencies_ms.end(), latencies.begin(), latencies.end());
}

void StoreWorker(store::Store* store, std::vector<model::SpanBatch>* batches, int index,
                 int workers, Clock::time_point deadline, Totals* totals) {
  size_t next = static_cast<size_t>(index);
  std::vector<double> latencies;
  while (Clock::now() < deadline) {
    model::SpanBatch& b = (*batches)[next % batches->size()];
    next += static_cast<size_t>(workers);
    auto t0 = Clock::now();
    Status s = store->Write(b);
    double ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
    if (!s.ok()) {
      totals->failures++;
      continue;
    }
    totals->spans += b.spans.size();
    totals->requests++;
    latencies.push_back(ms);
  }
  std::lock_guard lock(totals->mu);
  totals->latencies_ms.insert(totals->latencies_ms.end(), latencies.begin(), latencies.end());
}

std::vector<model::SpanBatch> MakeBatches(const Options& o) {
  WorkloadOptions w;
  w.seed = o.seed;
  WorkloadGenerator gen(w);
  std::vector<model::SpanBatch> batches(static_cast<size_t>(o.prebuilt));
  for (auto& b : batches) {
    b.project = "bench";
    gen.FillBatch(&b, o.batch_spans);
  }
  return batches;
}

void Report(const char* what, const Totals& t, double seconds) {
  double spans_per_s = double(t.spans) / seconds;
  std::printf(
      "%s: %.0f spans/s, %.1f MB/s, %llu requests, %llu failed, ack p50 %.1f ms, p99 %.1f ms\n",
      what, spans_per_s, double(t.bytes) / seconds / 1e6,
      static_cast<unsigned long long>(t.requests.load()),
      static_cast<unsigned long long>(t.failures.load()), Percentile(t.latencies_ms, 0.50),
      Percentile(t.latencies_ms, 0.99));
  std::printf("RESULT %s spans_per_s=%.0f mb_per_s=%.2f p50_ms=%.2f p99_ms=%.2f failures=%llu\n",
              what, spans_per_s, double(t.bytes) / seconds / 1e6, Percentile(t.latencies_ms, 0.5),
              Percentile(t.latencies_ms, 0.99), static_cast<unsigned long long>(t.failures.load()));
}

int Run(const Options& o) {
  auto batches = MakeBatches(o);
  size_t total_spans = 0;
  for (auto& b : batches) total_spans += b.spans.size();
  Totals totals;
  auto start = Clock::now();
  auto deadline =
      start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o.seconds));
  std::vector<std::thread> threads;
  if (!o.store_ceiling_dir.empty()) {
    std::filesystem::remove_all(o.store_ceiling_dir);
    store::EmbeddedStoreOptions so;
    so.data_dir = o.store_ceiling_dir;
    auto st = store::OpenEmbeddedStore(so);
    if (!st.ok()) {
      std::fprintf(stderr, "%s\n", st.status().ToString().c_str());
      return 1;
    }
    for (int i = 0; i < o.connections; ++i) {
      threads.emplace_back(StoreWorker, st->get(), &batches, i, o.connections, deadline, &totals);
    }
    for (auto& t : threads) t.join();
    double secs = std::chrono::duration<double>(Clock::now() - start).count();
    Report("store-ceiling", totals, secs);
    return 0;
  }
  std::vector<Request> requests;
  size_t payload = 0;
  for (auto& b : batches) {
    Request r;
    r.body =
        o.format == "json" ? otlp::EncodeTraceRequestJson(b) : otlp::EncodeTraceRequestProto(b);
    if (o.gzip) r.body = GzipCompress(r.body);
    r.spans = b.spans.size();
    payload += r.body.size();
    requests.push_back(std::move(r));
  }
  std::printf("workload: %zu prebuilt requests, %zu spans, %.0f bytes/span on the wire (%s%s)\n",
              requests.size(), total_spans, double(payload) / double(total_spans), o.format.c_str(),
              o.gzip ? "+gzip" : "");
  for (int i = 0; i < o.connections; ++i) {
    threads.emplace_back([&, i] {
      try {
        HttpWorker(o, requests, i, deadline, &totals);
      } catch (const std::exception& e) {
        std::fprintf(stderr, "connection %d: %s\n", i, e.what());
        totals.failures++;
      }
    });
  }
  for (auto& t : threads) t.join();
  double secs = std::chrono::duration<double>(Clock::now() - start).count();
  Report("ingest", totals, secs);
  return totals.spans > 0 ? 0 : 1;
}

}  // namespace
}  // namespace tokenscope::bench

int main(int argc, char** argv) {
  tokenscope::bench::Options o;
  CLI::App app{"Tokenscope OTLP/HTTP load generator"};
  app.add_option("--endpoint", o.endpoint, "HOST:PORT of tokenscope serve");
  app.add_option("--store-ceiling", o.store_ceiling_dir,
                 "measure the embedded store alone in this (wiped) directory instead");
  app.add_option("--connections", o.connections, "concurrent keep-alive connections");
  app.add_option("--batch", o.batch_spans, "spans per request");
  app.add_option("--seconds", o.seconds, "duration");
  app.add_option("--prebuilt", o.prebuilt, "distinct requests to cycle through");
  app.add_option("--format", o.format, "proto or json")->check(CLI::IsMember({"proto", "json"}));
  app.add_flag("--gzip", o.gzip, "gzip request bodies");
  app.add_option("--seed", o.seed, "workload seed");
  CLI11_PARSE(app, argc, argv);
  return tokenscope::bench::Run(o);
}
