#include "server/server.h"

#include <spdlog/spdlog.h>

#include <condition_variable>
#include <fstream>
#include <mutex>
#include <sstream>

#include "auth/authenticator.h"
#include "auth/key_file.h"
#include "base/duration.h"
#include "enrich/pricing.h"
#include "redact/redactor.h"
#include "rollup/aggregator.h"
#include "server/analytics_api.h"
#include "server/auth_api.h"
#include "server/http_server.h"
#include "server/logs_api.h"
#include "server/metrics_endpoint.h"
#include "server/otlp_grpc.h"
#include "server/otlp_http.h"
#include "server/otlp_metrics_api.h"
#include "server/query_api.h"
#include "server/retention_worker.h"
#include "server/sessions_api.h"
#include "server/url.h"
#include "store/store_factory.h"
#include "web/static_files.h"

namespace tokenscope::server {

// Owns the store, the HTTP transport and the handlers, and starts and stops them in order:
// store before listeners on the way up, listeners before store on the way down.
class Server::Impl {
 public:
  explicit Impl(ServerConfig config) : config_(std::move(config)) {}

  Status Start() {
    store::EmbeddedStoreOptions store_options;
    store_options.data_dir = config_.data_dir;
    store_options.min_free_disk_bytes = config_.min_free_disk_bytes;
    auto opened = store::OpenEmbeddedStore(store_options);
    if (!opened.ok()) return opened.status().WithContext("opening store in " + config_.data_dir);
    store_ = std::move(opened).value();
    auto prices = enrich::PriceTable::Builtin();
    if (!prices.ok()) return prices.status().WithContext("loading the built-in price table");
    prices_ = std::make_unique<enrich::PriceTable>(std::move(prices).value());
    if (!config_.pricing_file.empty()) TS_RETURN_IF_ERROR(LoadPriceOverrides());
    IngestOptions ingest_options;
    ingest_options.limits = {config_.max_spans_per_request, config_.max_attributes,
                             config_.max_attribute_value_bytes, config_.max_events_per_span,
                             config_.max_links_per_span};
    ingest_options.max_spans_per_trace = config_.max_spans_per_trace;
    if (config_.redaction_enabled) {
      TS_ASSIGN_OR_RETURN(redactor_, redact::Redactor::Create(config_.redaction));
      ingest_options.redactor = redactor_.get();
      spdlog::info("tokenscope: redacting message content before storage");
    }
    auto dimensions = rollup::ParseAllocationDimensions(config_.rollup_dimensions);
    if (!dimensions.ok()) return dimensions.status().WithContext("rollup.dimensions");
    rollups_ = std::make_unique<rollup::Aggregator>(rollup::AggregatorOptions{
        config_.rollup_max_values_per_dimension == 0 ? SIZE_MAX
                                                     : config_.rollup_max_values_per_dimension});
    ingest_options.rollups = rollups_.get();
    ingest_options.rollup_dimensions = *dimensions;
    std::vector<std::string> dimension_names;
    for (const rollup::AllocationDimension& d : *dimensions) dimension_names.push_back(d.name);
    genai_metrics_.SetDimensions(dimension_names);
    ingest_options.genai_metrics = &genai_metrics_;
    otlp_metrics_ = std::make_unique<OtlpMetricsApi>(store_.get());
    analytics_ =
        std::make_unique<AnalyticsApi>(store_.get(), prices_.get(), *dimensions, rollups_.get());
    ingest_options.rollups_written = [this](const std::string& project, uint64_t start,
                                            uint64_t end) {
      analytics_->RollupsWritten(project, start, end);
    };
    ingest_service_ =
        std::make_unique<IngestService>(store_.get(), prices_.get(), std::move(ingest_options));
    ingest_ = std::make_unique<OtlpHttpIngest>(ingest_service_.get(), config_.max_body_bytes);
    query_ = std::make_unique<QueryApi>(
        store_.get(), prices_.get(),
        [this](const std::string& project, uint64_t start, uint64_t end) {
          return analytics_->Rebuild(project, start, end);
        });
    logs_ = std::make_unique<LogsApi>(store_.get());
    sessions_ = std::make_unique<SessionsApi>(store_.get());
    TS_RETURN_IF_ERROR(MakeRetentionWorker());
    auth_ =
        std::make_unique<auth::Authenticator>(auth::KeyFilePath(config_.data_dir), config_.project);
    TS_RETURN_IF_ERROR(auth_->Load());
    TS_RETURN_IF_ERROR(CheckExposure());

    budget_ = std::make_unique<InflightBudget>(config_.max_inflight_bytes);
    // Read once so that both listeners serve the same identity.
    TlsCredentials tls;
    if (!config_.tls_cert_file.empty() || !config_.tls_key_file.empty()) {
      TS_ASSIGN_OR_RETURN(tls, LoadTlsCredentials(config_.tls_cert_file, config_.tls_key_file));
    }
    auth_api_ = std::make_unique<AuthApi>(auth_.get(), /*secure_cookies=*/tls.enabled());
    HttpServer::Options http_options;
    http_options.address = config_.http_address;
    http_options.max_body_bytes = config_.max_body_bytes;
    http_options.budget = budget_.get();
    http_options.io_threads = config_.io_threads;
    http_options.worker_threads = config_.worker_threads;
    http_options.tls = tls;
    http_ =
        std::make_unique<HttpServer>(http_options, [this](HttpRequest& req) { return Route(req); });
    TS_RETURN_IF_ERROR(http_->Start());

    OtlpGrpcServer::Options grpc_options;
    grpc_options.address = config_.grpc_address;
    grpc_options.auth = auth_.get();
    grpc_options.max_message_bytes = config_.max_body_bytes;
    grpc_options.threads = config_.worker_threads;
    grpc_options.budget = budget_.get();
    grpc_options.tls = tls;
    grpc_ = std::make_unique<OtlpGrpcServer>(grpc_options, ingest_service_.get());
    TS_RETURN_IF_ERROR(grpc_->Start());
    retention_->Start();
    ready_ = true;
    spdlog::info("tokenscope: store at {}, HTTP on {}, gRPC on {}", config_.data_dir,
                 http_->bound_address(), grpc_->bound_address());
    return Status::Ok();
  }

  std::string http_address() const { return http_ ? http_->bound_address() : ""; }
  std::string grpc_address() const { return grpc_ ? grpc_->bound_address() : ""; }

  void Wait() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [this] { return stop_requested_; });
  }

  void Stop() {
    {
      std::lock_guard lock(mu_);
      if (stopped_) return;
      stopped_ = true;
      stop_requested_ = true;
    }
    cv_.notify_all();
    ready_ = false;
    if (retention_) retention_->Stop();
    if (http_) http_->Stop();  // drains in-flight requests first
    if (grpc_) grpc_->Stop();
    http_.reset();
    grpc_.reset();
    query_.reset();
    logs_.reset();
    sessions_.reset();
    ingest_.reset();
    ingest_service_.reset();
    retention_.reset();
    store_.reset();
    spdlog::info("tokenscope: stopped");
  }

 private:
  HttpResponse Route(HttpRequest& req) {
    auto target = ParseTarget(req.target());
    if (!target) {
      return MakeJsonError(req, http::status::bad_request, "invalid_argument",
                           "malformed request target");
    }
    const std::string& path = target->path;
    if (path == "/healthz" || path == "/readyz") return Health(req, path);
    if (path == "/metrics") return Metrics(req);
    const bool ingest = path == "/v1/traces" || path == "/api/public/otel/v1/traces" ||
                        path == "/v1/logs" || path == "/v1/metrics" ||
                        path == "/api/public/otel/v1/metrics";
    const bool admin = path.starts_with("/api/v1/admin/");
    if (!ingest && !path.starts_with("/api/v1/")) {
      const bool is_get = req.method() == http::verb::get || req.method() == http::verb::head;
      if (is_get && !path.starts_with("/api/") && !path.starts_with("/v1/")) {
        return WebUi(req, path);
      }
      return NotFound(req, path);
    }

    // The web UI's sign-in; its session cookie counts for the query and admin API, never ingest.
    if (path.starts_with("/api/v1/auth/")) return auth_api_->Handle(req, path);
    const auth::Access access = ingest || admin ? auth::Access::kWrite : auth::Access::kRead;
    auto principal = auth_api_->Authenticate(req, access, /*allow_cookie=*/!ingest);
    if (!principal.ok()) return Refuse(req, ingest, principal.status());
    return Dispatch(req, *target, principal->project);
  }

  // The endpoints that need a principal, for its project.
  HttpResponse Dispatch(HttpRequest& req, const ParsedTarget& target, const std::string& project) {
    const std::string& path = target.path;
    const bool is_get = req.method() == http::verb::get || req.method() == http::verb::head;
    const bool is_post = req.method() == http::verb::post;
    if (path == "/v1/traces" || path == "/api/public/otel/v1/traces") {
      if (!is_post) return MethodNotAllowed(req, "POST");
      return ingest_->HandleTraces(project, req);
    }
    if (path == "/v1/logs") {
      if (!is_post) return MethodNotAllowed(req, "POST");
      return ingest_->HandleLogs(project, req);
    }
    if (path == "/v1/metrics" || path == "/api/public/otel/v1/metrics") {
      if (!is_post) return MethodNotAllowed(req, "POST");
      return ingest_->HandleMetrics(project, req);
    }
    if (path == "/api/v1/metrics/names") {
      if (!is_get) return MethodNotAllowed(req, "GET");
      return otlp_metrics_->Names(project, req, target);
    }
    if (path == "/api/v1/logs") {
      if (!is_get) return MethodNotAllowed(req, "GET");
      return logs_->SearchLogs(project, req, target);
    }
    static constexpr std::string_view kTracesPrefix = "/api/v1/traces/";
    if (path == "/api/v1/traces") {
      if (!is_get) return MethodNotAllowed(req, "GET");
      return query_->SearchTraces(project, req, target);
    }
    if (path.starts_with(kTracesPrefix) && path.size() > kTracesPrefix.size()) {
      if (!is_get) return MethodNotAllowed(req, "GET");
      return query_->GetTrace(project, req, target,
                              std::string_view(path).substr(kTracesPrefix.size()));
    }
    if (path == "/api/v1/spans") {
      if (!is_get) return MethodNotAllowed(req, "GET");
      return query_->SearchSpans(project, req, target);
    }
    if (path == "/api/v1/admin/reprice") {
      if (!is_post) return MethodNotAllowed(req, "POST");
      return query_->Reprice(project, req, target);
    }
    if (path == "/api/v1/admin/renormalize") {
      if (!is_post) return MethodNotAllowed(req, "POST");
      return query_->Renormalize(project, req, target);
    }
    if (path == "/api/v1/metrics") {
      if (!is_get) return MethodNotAllowed(req, "GET");
      // Stored OTLP metrics answer in the same shape as the LLM-call metrics (docs/api.md).
      if (target.Param("otlp_metric")) return otlp_metrics_->Query(project, req, target);
      return analytics_->Metrics(project, req, target);
    }
    if (path == "/api/v1/costs") {
      if (!is_get) return MethodNotAllowed(req, "GET");
      return analytics_->Costs(project, req, target);
    }
    static constexpr std::string_view kSessionsPrefix = "/api/v1/sessions/";
    if (path == "/api/v1/sessions") {
      if (!is_get) return MethodNotAllowed(req, "GET");
      return sessions_->ListSessions(project, req, target);
    }
    if (path.starts_with(kSessionsPrefix) && path.size() > kSessionsPrefix.size()) {
      if (!is_get) return MethodNotAllowed(req, "GET");
      return sessions_->GetSession(project, req, target,
                                   std::string_view(path).substr(kSessionsPrefix.size()));
    }
    if (path == "/api/v1/admin/rollups/rebuild") {
      if (!is_post) return MethodNotAllowed(req, "POST");
      return analytics_->RebuildRollups(project, req, target);
    }
    if (path == "/api/v1/services") {
      if (!is_get) return MethodNotAllowed(req, "GET");
      return query_->ListServices(project, req, target);
    }
    return NotFound(req, path);
  }

  // Open in local mode; with keys, a read key sees its project's GenAI series.
  HttpResponse Metrics(const HttpRequest& req) {
    if (req.method() != http::verb::get && req.method() != http::verb::head) {
      return MethodNotAllowed(req, "GET");
    }
    MetricsSources sources{ingest_service_.get(), budget_.get(), http_.get(),   &genai_metrics_,
                           redactor_.get(),       store_.get(),  rollups_.get()};
    if (auth_->local_mode()) return RenderMetrics(req, sources, nullptr);
    auto principal = auth_api_->Authenticate(req, auth::Access::kRead, /*allow_cookie=*/true);
    if (!principal.ok()) return Refuse(req, /*ingest=*/false, principal.status());
    return RenderMetrics(req, sources, &principal->project);
  }

  HttpResponse Health(const HttpRequest& req, const std::string& path) {
    const bool is_get = req.method() == http::verb::get || req.method() == http::verb::head;
    if (!is_get) return MethodNotAllowed(req, "GET");
    if (path == "/readyz" && !ready_) {
      return MakeJsonError(req, http::status::service_unavailable, "unavailable", "not ready");
    }
    return MakeResponse(req, http::status::ok, R"({"status":"ok"})", "application/json");
  }

  // 401 (with the schemes a client may use, unless the web UI asked: the browser must not show a
  // login dialog of its own) or 403; in the OTLP error form on ingest paths.
  HttpResponse Refuse(const HttpRequest& req, bool ingest, const Status& why) {
    const bool unauthenticated = why.code() == StatusCode::kUnauthenticated;
    const http::status status =
        unauthenticated ? http::status::unauthorized : http::status::forbidden;
    HttpResponse res =
        ingest
            ? ingest_->Refuse(req, status, why)
            : MakeJsonError(req, status, unauthenticated ? "unauthenticated" : "permission_denied",
                            why.message());
    if (unauthenticated && !AuthApi::SuppressChallenge(req))
      res.set(http::field::www_authenticate, R"(Bearer, Basic realm="tokenscope")");
    return res;
  }

  // The embedded web UI: its files, and index.html for the app's own routes. The UI holds no
  // data, so it needs no key; the API calls it makes do.
  static HttpResponse WebUi(const HttpRequest& req, const std::string& path) {
    auto file = web::LookupStaticFile(path, req[http::field::if_none_match],
                                      req[http::field::accept_encoding]);
    if (!file) return NotFound(req, path);
    const web::Asset& asset = *file->asset;
    HttpResponse res = file->not_modified
                           ? MakeResponse(req, http::status::not_modified, "", asset.content_type)
                           : MakeResponse(req, http::status::ok,
                                          std::string(file->gzip ? asset.gzip_body : asset.body),
                                          asset.content_type);
    if (file->gzip && !file->not_modified) res.set(http::field::content_encoding, "gzip");
    if (!asset.gzip_body.empty()) res.set(http::field::vary, "Accept-Encoding");
    res.set(http::field::cache_control, file->cache_control);
    res.set(http::field::etag, asset.etag);
    res.set("X-Content-Type-Options", "nosniff");
    if (asset.content_type.starts_with("text/html")) {
      res.set("Content-Security-Policy",
              "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
              "connect-src 'self'; frame-ancestors 'none'");
      res.set("Referrer-Policy", "no-referrer");
    }
    return res;
  }

  static HttpResponse NotFound(const HttpRequest& req, const std::string& path) {
    return MakeJsonError(req, http::status::not_found, "not_found", "no such endpoint: " + path);
  }

  Status MakeRetentionWorker() {
    RetentionWorker::Options options;
    options.default_ttl_ns = config_.retention_ttl_ns;
    auto projects = ParseNamedDurations(config_.retention_projects);
    if (!projects.ok()) return projects.status().WithContext("retention.projects");
    options.project_ttl_ns = std::move(projects).value();
    options.interval = std::chrono::nanoseconds(config_.retention_interval_ns);
    options.rollup_ttl_ns = config_.rollup_retention_ns;
    options.rollups_deleted = [this](const std::string& project, uint64_t start, uint64_t end) {
      analytics_->RollupsWritten(project, start, end);
    };
    retention_ = std::make_unique<RetentionWorker>(store_.get(), std::move(options));
    return Status::Ok();
  }

  // Local mode (no API keys) serves anyone who can connect, so it stays on loopback unless the
  // operator insists.
  Status CheckExposure() {
    if (!auth_->local_mode()) {
      spdlog::info("tokenscope: {} active API keys; every request must present one",
                   auth_->active_keys());
      return Status::Ok();
    }
    for (const std::string& address : {config_.http_address, config_.grpc_address}) {
      if (IsLoopbackAddress(address) || config_.insecure) continue;
      return FailedPrecondition(
          "refusing to listen on " + address +
          " without API keys: anyone who can connect could read and write every trace. Create a "
          "key with `tokenscope keys create --project NAME`, listen on 127.0.0.1, or pass "
          "--insecure");
    }
    spdlog::info("tokenscope: local mode: no API keys, every request belongs to project '{}'{}",
                 config_.project, config_.insecure ? " (insecure: not limited to loopback)" : "");
    return Status::Ok();
  }

  // Merges the operator's price file over the built-in table (before anything shares it).
  Status LoadPriceOverrides() {
    std::ifstream in(config_.pricing_file, std::ios::binary);
    if (!in) return FailedPrecondition("cannot read price file " + config_.pricing_file);
    std::stringstream text;
    text << in.rdbuf();
    auto overrides = enrich::PriceTable::Load(text.str());
    if (!overrides.ok()) return overrides.status().WithContext(config_.pricing_file);
    TS_RETURN_IF_ERROR(prices_->Merge(*overrides));
    spdlog::info("tokenscope: {} price entries from {}", overrides->size(), config_.pricing_file);
    return Status::Ok();
  }

  static HttpResponse MethodNotAllowed(const HttpRequest& req, std::string_view allowed) {
    HttpResponse res = MakeJsonError(req, http::status::method_not_allowed, "method_not_allowed",
                                     "use " + std::string(allowed));
    res.set(http::field::allow, allowed);
    return res;
  }

  ServerConfig config_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<enrich::PriceTable> prices_;
  // Stored OTLP metrics; outlives analytics_, which may hand requests to it.
  std::unique_ptr<OtlpMetricsApi> otlp_metrics_;
  GenAiMetrics genai_metrics_;                   // outlives ingest_service_, which records into it
  std::unique_ptr<redact::Redactor> redactor_;   // outlives ingest_service_, which uses it
  std::unique_ptr<rollup::Aggregator> rollups_;  // outlives ingest_service_, which uses it
  std::unique_ptr<AnalyticsApi> analytics_;      // outlives ingest_service_ and retention_
  std::unique_ptr<RetentionWorker> retention_;
  std::unique_ptr<auth::Authenticator> auth_;
  std::unique_ptr<AuthApi> auth_api_;
  std::unique_ptr<IngestService> ingest_service_;
  std::unique_ptr<OtlpHttpIngest> ingest_;
  std::unique_ptr<QueryApi> query_;
  std::unique_ptr<LogsApi> logs_;
  std::unique_ptr<SessionsApi> sessions_;
  std::unique_ptr<InflightBudget> budget_;
  std::unique_ptr<HttpServer> http_;
  std::unique_ptr<OtlpGrpcServer> grpc_;
  std::atomic<bool> ready_{false};
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_requested_ = false;
  bool stopped_ = false;
};

Server::Server(ServerConfig config) : impl_(std::make_unique<Impl>(std::move(config))) {}
Server::~Server() {
  Stop();
}
Status Server::Start() {
  return impl_->Start();
}
std::string Server::http_address() const {
  return impl_->http_address();
}
std::string Server::grpc_address() const {
  return impl_->grpc_address();
}
void Server::Wait() {
  impl_->Wait();
}
void Server::Stop() {
  impl_->Stop();
}

}  // namespace tokenscope::server
