#include "cli/traces_command.h"

#include <algorithm>
#include <cctype>
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
  if (table->next_cursor.has_value()) {
    err << fmt::format("more traces: repeat with --cursor {}\n", *table->next_cursor);
  }
  return kExitOk;
}

int RunReprice(const ClientOptions& options, std::string_view since, std::ostream& out,
               std::ostream& err) {
  std::string target = "/api/v1/admin/reprice?since=" + PercentEncode(since);
  int exit_code = kExitOk;
  std::optional<HttpResponse> response = Fetch(options, target, err, exit_code, /*post=*/true);
  if (!response.has_value()) return exit_code;
  if (options.json) {
    PrintRawBody(response->body, out);
    return kExitOk;
  }
  rapidjson::Document doc;
  doc.Parse(response->body.data(), response->body.size());
  if (doc.HasParseError() || !doc.IsObject() || !doc.HasMember("traces_examined")) {
    PrintError(err, "unexpected answer from the server");
    return kExitServerError;
  }
  auto get = [&](const char* key) { return doc[key].GetInt64(); };
  out << fmt::format(
      "repriced {} traces since {}: {} changed; cost {:.6f} USD -> {:.6f} USD ({:+.6f})\n",
      get("traces_examined"), since, get("traces_changed"),
      static_cast<double>(get("cost_before_nanos_usd")) / 1e9,
      static_cast<double>(get("cost_after_nanos_usd")) / 1e9,
      static_cast<double>(get("cost_after_nanos_usd") - get("cost_before_nanos_usd")) / 1e9);
  return kExitOk;
}

}  // namespace tokenscope::cli
