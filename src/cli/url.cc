#include "cli/url.h"

#include <fmt/format.h>

#include "cli/config_loader.h"

namespace tokenscope::cli {
namespace {

bool IsUnreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~';
}

// Splits "host[:port]" (host possibly "[v6]") into its parts.
Status ParseAuthority(std::string_view authority, Endpoint& endpoint) {
  std::string_view host = authority;
  std::string_view port;
  if (authority.starts_with('[')) {
    size_t close = authority.find(']');
    if (close == std::string_view::npos) return InvalidArgument("unterminated IPv6 address");
    host = authority.substr(1, close - 1);
    std::string_view rest = authority.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return InvalidArgument("expected ':PORT' after the IPv6 address");
      port = rest.substr(1);
    }
  } else {
    size_t colon = authority.find(':');
    if (colon != std::string_view::npos) {
      host = authority.substr(0, colon);
      port = authority.substr(colon + 1);
    }
  }
  if (host.empty()) return InvalidArgument("missing host");
  if (host.find('@') != std::string_view::npos) {
    return InvalidArgument("user info in the URL is not supported");
  }
  endpoint.host = std::string(host);
  if (!port.empty()) {
    StatusOr<uint64_t> number = ParseDecimalUint64(port);
    if (!number.ok() || *number == 0 || *number > 65535) {
      return InvalidArgument(fmt::format("invalid port \"{}\"", port));
    }
    endpoint.port = static_cast<uint16_t>(*number);
  }
  return Status::Ok();
}

}  // namespace

std::string Endpoint::HostHeader() const {
  bool ipv6 = host.find(':') != std::string::npos;
  return ipv6 ? fmt::format("[{}]:{}", host, port) : fmt::format("{}:{}", host, port);
}

std::string Endpoint::ToString() const {
  return fmt::format("http://{}{}", HostHeader(), base_path);
}

StatusOr<Endpoint> ParseEndpoint(std::string_view url) {
  std::string_view rest = url;
  size_t scheme_end = rest.find("://");
  if (scheme_end != std::string_view::npos) {
    std::string_view scheme = rest.substr(0, scheme_end);
    if (scheme == "https") {
      return InvalidArgument(
          fmt::format("endpoint {}: https is not supported; use a local http:// endpoint", url));
    }
    if (scheme != "http") {
      return InvalidArgument(fmt::format("endpoint {}: expected an http:// URL", url));
    }
    rest.remove_prefix(scheme_end + 3);
  }
  if (rest.find_first_of("?#") != std::string_view::npos) {
    return InvalidArgument(
        fmt::format("endpoint {}: a query string or fragment is not allowed", url));
  }
  size_t slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  std::string_view path = slash == std::string_view::npos ? "" : rest.substr(slash);
  Endpoint endpoint;
  Status status = ParseAuthority(authority, endpoint);
  if (!status.ok()) return status.WithContext(fmt::format("endpoint {}", url));
  while (path.ends_with('/')) path.remove_suffix(1);
  endpoint.base_path = std::string(path);
  return endpoint;
}

std::string PercentEncode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    unsigned char byte = static_cast<unsigned char>(c);
    if (IsUnreserved(byte)) {
      out.push_back(c);
    } else {
      out += fmt::format("%{:02X}", byte);
    }
  }
  return out;
}

std::string BuildQueryString(const std::vector<std::pair<std::string, std::string>>& params) {
  std::string out;
  for (const auto& [key, value] : params) {
    out += out.empty() ? '?' : '&';
    out += PercentEncode(key);
    out += '=';
    out += PercentEncode(value);
  }
  return out;
}

}  // namespace tokenscope::cli
