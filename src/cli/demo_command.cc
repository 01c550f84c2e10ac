#include "cli/demo_command.h"

#include <chrono>
#include <ostream>
#include <thread>

#include "base/duration.h"
#include "cli/http_client.h"
#include "cli/url.h"
#include "demo/demo_workload.h"
#include "otlp/proto_encoder.h"

namespace tokenscope::cli {
namespace {

uint64_t NowUnixNano() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
}

bool Stopped(const std::atomic<bool>* stop) {
  return stop != nullptr && stop->load(std::memory_order_relaxed);
}

// POSTs one batch; a 503 (the server asks to retry) is retried a few times.
Status Send(const Endpoint& endpoint, const HttpRequestOptions& options, model::SpanBatch& batch,
            DemoStats* stats) {
  const std::string body = otlp::EncodeTraceRequestProto(batch);
  for (int attempt = 0;; ++attempt) {
    TS_ASSIGN_OR_RETURN(HttpResponse response, HttpPostBody(endpoint, "/v1/traces", body,
                                                            "application/x-protobuf", options));
    if (response.ok()) break;
    if (response.status == 503 && attempt < 5) {
      std::this_thread::sleep_for(std::chrono::milliseconds(500 << attempt));
      continue;
    }
    return Unavailable("the server refused the demo traces: HTTP " +
                       std::to_string(response.status) + " " + response.body);
  }
  stats->spans += batch.spans.size();
  stats->requests += 1;
  stats->bytes += body.size();
  batch = model::SpanBatch();
  return Status::Ok();
}

}  // namespace

Status SendDemoWorkload(const ClientOptions& client, const DemoPlan& plan,
                        const std::atomic<bool>* stop, DemoStats* stats) {
  TS_ASSIGN_OR_RETURN(Endpoint endpoint, ParseEndpoint(client.endpoint));
  HttpRequestOptions options;
  options.timeout = client.timeout;
  options.api_key = client.api_key;
  demo::DemoWorkloadOptions workload_options;
  workload_options.seed = plan.seed;
  demo::DemoWorkload workload(workload_options);

  // Backfill: start times evenly spread, oldest first, the newest a few seconds ago.
  const uint64_t now = NowUnixNano();
  model::SpanBatch batch;
  uint64_t in_batch = 0;
  for (uint64_t i = 0; i < plan.backfill_traces && !Stopped(stop); ++i) {
    const uint64_t back = plan.backfill_span_ns / std::max<uint64_t>(1, plan.backfill_traces) *
                          (plan.backfill_traces - i);
    workload.AddTrace(&batch, now - back);
    ++stats->traces;
    if (++in_batch == plan.traces_per_request) {
      TS_RETURN_IF_ERROR(Send(endpoint, options, batch, stats));
      in_batch = 0;
    }
  }
  if (in_batch > 0) TS_RETURN_IF_ERROR(Send(endpoint, options, batch, stats));

  // Live: one trace per interval, stamped with the time it is sent.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::nanoseconds(plan.live_ns);
  while (plan.live_ns > 0 && !Stopped(stop) && std::chrono::steady_clock::now() < deadline) {
    workload.AddTrace(&batch, NowUnixNano());
    ++stats->traces;
    TS_RETURN_IF_ERROR(Send(endpoint, options, batch, stats));
    const auto next =
        std::chrono::steady_clock::now() + std::chrono::nanoseconds(plan.live_interval_ns);
    while (!Stopped(stop) && std::chrono::steady_clock::now() < std::min(next, deadline)) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
  return Status::Ok();
}

int RunDemo(const ClientOptions& client, uint64_t traces, const std::string& duration,
            const std::string& spread, uint64_t seed, std::ostream& out, std::ostream& err) {
  DemoPlan plan;
  plan.seed = seed;
  plan.backfill_traces = traces;
  if (!duration.empty()) {
    std::optional<uint64_t> ns = ParseDurationNanos(duration);
    if (!ns) {
      err << "error: --duration: not a duration: " << duration << " (e.g. 30s, 10m)\n";
      return kExitUsage;
    }
    plan.live_ns = *ns;
  }
  if (!spread.empty()) {
    std::optional<uint64_t> ns = ParseDurationNanos(spread);
    if (!ns || *ns == 0) {
      err << "error: --spread: not a duration: " << spread << " (e.g. 6h, 2d)\n";
      return kExitUsage;
    }
    plan.backfill_span_ns = *ns;
  }
  DemoStats stats;
  const auto started = std::chrono::steady_clock::now();
  Status sent = SendDemoWorkload(client, plan, nullptr, &stats);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  if (!sent.ok()) {
    err << "error: " << sent.message() << "\n";
    return sent.code() == StatusCode::kUnavailable && stats.requests == 0 ? kExitUsage
                                                                          : kExitServerError;
  }
  out << "sent " << stats.traces << " traces (" << stats.spans << " spans, " << stats.requests
      << " requests, " << stats.bytes / 1024 << " KiB) to " << client.endpoint << " in "
      << static_cast<int64_t>(seconds * 1000) << " ms\n";
  return kExitOk;
}

}  // namespace tokenscope::cli
