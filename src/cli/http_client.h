// A minimal blocking HTTP/1.1 client for the command-line tools (Boost.Beast over plain TCP):
// one request per call (GET, or POST with or without a body), one connection per call, bounded
// by an overall deadline.
//
// Errors: Unavailable when no connection could be made (refused, unreachable, unresolvable
// host), DeadlineExceeded when the deadline passes, Internal when the connection breaks or the
// answer is not valid HTTP. Any HTTP status, 4xx/5xx included, is a successful HttpResponse.
// Stateless and thread-safe: each call owns its own I/O context.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "base/status.h"
#include "cli/url.h"

namespace tokenscope::cli {

struct HttpResponse {
  int status = 0;
  std::string reason;
  std::string content_type;
  std::string body;

  bool ok() const { return status >= 200 && status < 300; }
};

struct HttpRequestOptions {
  std::chrono::milliseconds timeout{30'000};  // for the whole exchange, connect included
  std::string user_agent = "tokenscope";
  size_t max_response_bytes = 256u << 20;  // a very large trace is still a few MB
  std::string api_key;                     // sent as Authorization: Bearer <key> when not empty
};

// GETs `target` ("/api/v1/traces?limit=5", already percent-encoded) from `endpoint`; the
// endpoint's base path is prepended.
StatusOr<HttpResponse> HttpGet(const Endpoint& endpoint, std::string_view target,
                               const HttpRequestOptions& options = {});

// POSTs an empty body to `target` (for actions such as /api/v1/admin/reprice).
StatusOr<HttpResponse> HttpPost(const Endpoint& endpoint, std::string_view target,
                                const HttpRequestOptions& options = {});

// POSTs `body` with `content_type` (e.g. an OTLP request to /v1/traces).
StatusOr<HttpResponse> HttpPostBody(const Endpoint& endpoint, std::string_view target,
                                    std::string_view body, std::string_view content_type,
                                    const HttpRequestOptions& options = {});

}  // namespace tokenscope::cli
