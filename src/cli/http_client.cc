#include "cli/http_client.h"

#include <fmt/format.h>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace tokenscope::cli {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

// Starts one asynchronous operation and runs `ioc` until it completes. Beast's tcp_stream only
// enforces its expiry on asynchronous operations, so the blocking client is built from them.
template <typename StartOperation>
beast::error_code RunToCompletion(net::io_context& ioc, StartOperation&& start) {
  beast::error_code result;
  start([&result](beast::error_code ec, auto&&...) { result = ec; });
  ioc.restart();
  ioc.run();
  return result;
}

Status TransportError(const Endpoint& endpoint, std::string_view stage,
                      const beast::error_code& ec) {
  if (ec == beast::error::timeout) {
    return Status(StatusCode::kDeadlineExceeded,
                  fmt::format("{} {}: timed out", stage, endpoint.ToString()));
  }
  return Internal(fmt::format("{} {}: {}", stage, endpoint.ToString(), ec.message()));
}

}  // namespace

namespace {

StatusOr<HttpResponse> Exchange(http::verb method, const Endpoint& endpoint,
                                std::string_view target, const HttpRequestOptions& options,
                                std::string_view body = {}, std::string_view content_type = {}) {
  const auto deadline = std::chrono::steady_clock::now() + options.timeout;
  net::io_context ioc(1);
  beast::error_code ec;

  tcp::resolver resolver(ioc);
  tcp::resolver::results_type addresses =
      resolver.resolve(endpoint.host, std::to_string(endpoint.port), ec);
  if (ec) {
    return Unavailable(fmt::format("cannot resolve {}: {}", endpoint.host, ec.message()));
  }

  beast::tcp_stream stream(ioc);
  // The expiry covers every asynchronous operation started from here on.
  stream.expires_at(deadline);
  ec = RunToCompletion(ioc, [&](auto handler) { stream.async_connect(addresses, handler); });
  if (ec == beast::error::timeout) return TransportError(endpoint, "connecting to", ec);
  if (ec) {
    return Unavailable(fmt::format("cannot connect to {}: {}", endpoint.ToString(), ec.message()));
  }

  std::string full_target = endpoint.base_path + std::string(target);
  http::request<http::string_body> request(method, full_target, 11);
  request.set(http::field::host, endpoint.HostHeader());
  request.set(http::field::user_agent, options.user_agent);
  request.set(http::field::accept, "application/json");
  if (!options.api_key.empty())
    request.set(http::field::authorization, "Bearer " + options.api_key);
  request.set(http::field::connection, "close");
  if (!content_type.empty()) request.set(http::field::content_type, content_type);
  request.body() = std::string(body);
  request.prepare_payload();  // Content-Length, 0 for an empty POST
  ec = RunToCompletion(ioc, [&](auto handler) { http::async_write(stream, request, handler); });
  if (ec) return TransportError(endpoint, "sending the request to", ec);

  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(options.max_response_bytes);
  // Header first: Boost 1.74's parser drops the body_limit error for a Content-Length that is
  // too large when body bytes arrive together with the header, so the length is checked here.
  ec = RunToCompletion(
      ioc, [&](auto handler) { http::async_read_header(stream, buffer, parser, handler); });
  if (ec) return TransportError(endpoint, "reading the response from", ec);
  if (parser.content_length().value_or(0) > options.max_response_bytes) {
    return Internal(fmt::format("the response from {} is larger than {} bytes", endpoint.ToString(),
                                options.max_response_bytes));
  }
  ec = RunToCompletion(ioc,
                       [&](auto handler) { http::async_read(stream, buffer, parser, handler); });
  if (ec) return TransportError(endpoint, "reading the response from", ec);

  beast::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_both, ignored);

  http::response<http::string_body> message = parser.release();
  HttpResponse response;
  response.status = static_cast<int>(message.result_int());
  response.reason = std::string(message.reason());
  response.content_type = std::string(message[http::field::content_type]);
  response.body = std::move(message.body());
  return response;
}

}  // namespace

StatusOr<HttpResponse> HttpGet(const Endpoint& endpoint, std::string_view target,
                               const HttpRequestOptions& options) {
  return Exchange(http::verb::get, endpoint, target, options);
}

StatusOr<HttpResponse> HttpPost(const Endpoint& endpoint, std::string_view target,
                                const HttpRequestOptions& options) {
  return Exchange(http::verb::post, endpoint, target, options);
}

StatusOr<HttpResponse> HttpPostBody(const Endpoint& endpoint, std::string_view target,
                                    std::string_view body, std::string_view content_type,
                                    const HttpRequestOptions& options) {
  return Exchange(http::verb::post, endpoint, target, options, body, content_type);
}

}  // namespace tokenscope::cli
