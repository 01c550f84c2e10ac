#include "cli/traces_command.h"

#include <algorithm>
#include <cctype>
#include <functional>
#include <utility>

#include <fmt/format.h>

#include <rapidjson/document.h>

#include "cli/http_client.h"
#include "cli/trace_render.h"
#include "cli/url.h"

namespace tokenscope::cli {
namespace {

constexpr size_t kTraceIdHexDigits = 32;

void PrintError(std::ostream& err, std::string_view message) {
  err << "error: " << message << '\n';
}

// Sends the GET (or, with `post`, an empty POST) and reports transport failures; on success
// the caller handles the answer. Returns nullopt after printing the failure and setting
// `exit_code`.
std::optional<HttpResponse> Fetch(const ClientOptions& options, std::string_view target,
                                  std::ostream& err, int& exit_code, bool post = false) {
  StatusOr<Endpoint> endpoint = ParseEndpoint(options.endpoint);
  if (!endpoint.ok()) {
    PrintError(err, endpoint.status().message());
    exit_code = kExitUsage;
    return std::nullopt;
  }
  HttpRequestOptions request_options;
  request_options.timeout = options.timeout;
  request_options.user_agent = "tokenscope/" TOKENSCOPE_VERSION;
  request_options.api_key = options.api_key;
  StatusOr<HttpResponse> response = post ? HttpPost(*endpoint, target, request_options)
                                         : HttpGet(*endpoint, target, request_options);
  if (!response.ok()) {
    PrintError(err, response.status().message());
    if (response.status().code() == StatusCode::kUnavailable) {
      err << fmt::format(
          "hint: is `tokenscope serve` running at {}? Set --endpoint or {} to point elsewhere.\n",
          endpoint->ToString(), kEndpointEnvVar);
    }
    exit_code = kExitUsage;
    return std::nullopt;
  }
  if (!response->ok()) {
    PrintError(err, DescribeErrorResponse(response->status, response->reason, response->body));
    exit_code = kExitServerError;
    return std::nullopt;
  }
  return std::move(response).value();
}

void PrintRawBody(std::string_view body, std::ostream& out) {
  out << body;
  if (body.empty() || body.back() != '\n') out << '\n';
}

// The answer of POST /api/v1/admin/reprice or /renormalize (docs/api.md).
class RecomputeReport {
 public:
  explicit RecomputeReport(const rapidjson::Document& doc) : doc_(doc) {}

  // A numeric field; 0 when a server too old to report it left it out.
  int64_t Get(const char* key) const {
    auto it = doc_.FindMember(key);
    return it != doc_.MemberEnd() && it->value.IsInt64() ? it->value.GetInt64() : 0;
  }

  // "cost 0.004500 USD -> 0.003600 USD (-0.000900)"
  std::string CostChange() const {
    int64_t before = Get("cost_before_nanos_usd");
    int64_t after = Get("cost_after_nanos_usd");
    return fmt::format("cost {:.6f} USD -> {:.6f} USD ({:+.6f})", static_cast<double>(before) / 1e9,
                       static_cast<double>(after) / 1e9, static_cast<double>(after - before) / 1e9);
  }

 private:
  const rapidjson::Document& doc_;
};

// POSTs a recomputation of the trace summaries of the last `since` to `path` and prints its
// report with `print` (or, with --json, verbatim). Returns the exit code.
int RunRecompute(const ClientOptions& options, std::string_view path, std::string_view since,
                 std::ostream& out, std::ostream& err,
                 const std::function<void(const RecomputeReport&)>& print,
                 const char* required_field = "traces_examined") {
  std::string target = std::string(path) + "?since=" + PercentEncode(since);
  int exit_code = kExitOk;
  std::optional<HttpResponse> response = Fetch(options, target, err, exit_code, /*post=*/true);
  if (!response.has_value()) return exit_code;
  if (options.json) {
    PrintRawBody(response->body, out);
    return kExitOk;
  }
  rapidjson::Document doc;
  doc.Parse(response->body.data(), response->body.size());
  if (doc.HasParseError() || !doc.IsObject() || !doc.HasMember(required_field)) {
    PrintError(err, "unexpected answer from the server");
    return kExitServerError;
  }
  print(RecomputeReport(doc));
  return kExitOk;
}

}  // namespace

StatusOr<std::string> TraceGetTarget(std::string_view trace_id) {
  bool is_hex = std::all_of(trace_id.begin(), trace_id.end(),
                            [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); });
  if (trace_id.size() != kTraceIdHexDigits || !is_hex) {
    return InvalidArgument(fmt::format("a trace id is {} hex digits, got \"{}\"", kTraceIdHexDigits,
                                       trace_id.substr(0, 64)));
  }
  std::string lower(trace_id);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return "/api/v1/traces/" + lower;
}

StatusOr<std::string> TraceSearchTarget(const TraceSearchParams& params) {
  std::vector<std::pair<std::string, std::string>> query;
  auto add = [&](std::string_view key, const std::optional<std::string>& value) {
    if (value.has_value()) query.emplace_back(std::string(key), *value);
  };
  add("filter", params.filter);
  add("service", params.service);
  add("name", params.name);
  add("status", params.status);
  add("min_duration", params.min_duration);
  add("max_duration", params.max_duration);
  for (const std::string& attribute : params.attributes) {
    size_t equals = attribute.find('=');
    if (equals == std::string::npos || equals == 0) {
      return InvalidArgument(
          fmt::format("--attr expects KEY=VALUE, got \"{}\"", attribute.substr(0, 64)));
    }
    query.emplace_back("attr." + attribute.substr(0, equals), attribute.substr(equals + 1));
  }
  add("since", params.since);
  add("order", params.order);
  if (params.limit.has_value()) query.emplace_back("limit", std::to_string(*params.limit));
  add("cursor", params.cursor);
  return "/api/v1/traces" + BuildQueryString(query);
}

int RunTracesGet(const ClientOptions& options, std::string_view trace_id, std::ostream& out,
                 std::ostream& err) {
  StatusOr<std::string> target = TraceGetTarget(trace_id);
  if (!target.ok()) {
    PrintError(err, target.status().message());
    return kExitUsage;
  }
  int exit_code = kExitOk;
  std::optional<HttpResponse> response = Fetch(options, *target, err, exit_code);
  if (!response.has_value()) return exit_code;
  if (options.json) {
    PrintRawBody(response->body, out);
    return kExitOk;
  }
  StatusOr<std::string> tree = RenderTraceTree(response->body, RenderOptions{options.color});
  if (!tree.ok()) {
    PrintError(err, tree.status().message());
    return kExitServerError;
  }
  out << *tree;
  return kExitOk;
}

int RunTracesSearch(const ClientOptions& options, const TraceSearchParams& params,
                    std::ostream& out, std::ostream& err) {
  StatusOr<std::string> target = TraceSearchTarget(params);
  if (!target.ok()) {
    PrintError(err, target.status().message());
    return kExitUsage;
  }
  int exit_code = kExitOk;
  std::optional<HttpResponse> response = Fetch(options, *target, err, exit_code);
  if (!response.has_value()) return exit_code;
  if (options.json) {
    PrintRawBody(response->body, out);
    return kExitOk;
  }
  StatusOr<TraceTable> table = RenderTraceSearchTable(response->body, RenderOptions{options.color});
  if (!table.ok()) {
    PrintError(err, table.status().message());
    return kExitServerError;
  }
  out << table->text;
  if (table->trace_count == 0) err << "no traces matched\n";
  if (table->partial_reason.has_value()) {
    err << fmt::format("partial ranking: {}\n", *table->partial_reason);
  }
  if (table->next_cursor.has_value()) {
    err << fmt::format("more traces: repeat with --cursor {}\n", *table->next_cursor);
  }
  return kExitOk;
}

int RunReprice(const ClientOptions& options, std::string_view since, std::ostream& out,
               std::ostream& err) {
  return RunRecompute(options, "/api/v1/admin/reprice", since, out, err,
                      [&](const RecomputeReport& r) {
                        out << fmt::format("repriced {} traces since {}: {} changed; {}\n",
                                           r.Get("traces_examined"), since, r.Get("traces_changed"),
                                           r.CostChange());
                      });
}

int RunRollupRebuild(const ClientOptions& options, std::string_view since, std::ostream& out,
                     std::ostream& err) {
  return RunRecompute(
      options, "/api/v1/admin/rollups/rebuild", since, out, err,
      [&](const RecomputeReport& r) {
        out << fmt::format(
            "rebuilt the rollups of the last {} from {} spans\n"
            "  cells      {} -> {}\n"
            "  LLM calls  {} -> {}\n"
            "  {}\n",
            since, r.Get("spans_examined"), r.Get("cells_before"), r.Get("cells_after"),
            r.Get("requests_before"), r.Get("requests_after"), r.CostChange());
      },
      "spans_examined");
}

int RunRenormalize(const ClientOptions& options, std::string_view since, std::ostream& out,
                   std::ostream& err) {
  return RunRecompute(
      options, "/api/v1/admin/renormalize", since, out, err, [&](const RecomputeReport& r) {
        out << fmt::format(
            "renormalized {} traces since {} with normalizer v{}: {} changed\n"
            "  LLM calls     {} -> {}\n"
            "  total tokens  {} -> {}\n"
            "  {}\n",
            r.Get("traces_examined"), since, r.Get("normalizer_version"), r.Get("traces_changed"),
            r.Get("llm_calls_before"), r.Get("llm_calls_after"), r.Get("total_tokens_before"),
            r.Get("total_tokens_after"), r.CostChange());
      });
}

}  // namespace tokenscope::cli
