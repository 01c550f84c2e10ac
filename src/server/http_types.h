// The HTTP request and response types of Tokenscope's front end (Boost.Beast), and small
// helpers to build responses. HTTP types stay inside src/server/ (and src/gateway/).
#pragma once

#include <boost/beast/http.hpp>
#include <string>
#include <string_view>

namespace tokenscope::server {

namespace http = boost::beast::http;
using HttpRequest = http::request<http::string_body>;
using HttpResponse = http::response<http::string_body>;

// A response with `body` and its content type; keep-alive follows the request.
HttpResponse MakeResponse(const HttpRequest& req, http::status status, std::string body,
                          std::string_view content_type);

// {"error": {"code": "<code>", "message": "<message>"}} with the given HTTP status.
HttpResponse MakeJsonError(const HttpRequest& req, http::status status, std::string_view code,
                           std::string_view message);

}  // namespace tokenscope::server
