// URL pieces the command-line client needs: parsing the --endpoint base URL and building
// percent-encoded query strings. Pure functions and plain values; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/status.h"

namespace tokenscope::cli {

// A parsed http:// base URL such as "http://127.0.0.1:4318" or "http://host/tokenscope".
struct Endpoint {
  std::string host;  // without brackets for IPv6 literals
  uint16_t port = 80;
  std::string base_path;  // "" or "/prefix" (never ends in '/')

  // "host:port" as sent in the Host header ("[::1]:4318" for IPv6).
  std::string HostHeader() const;
  // "http://host:port/prefix", for messages.
  std::string ToString() const;
};

// Accepts http://HOST[:PORT][/PATH]; a missing scheme means http. https, user info, query
// strings and fragments are rejected with a message saying why.
StatusOr<Endpoint> ParseEndpoint(std::string_view url);

// Percent-encodes everything except RFC 3986 unreserved characters (A-Z a-z 0-9 - . _ ~).
std::string PercentEncode(std::string_view text);

// "?k1=v1&k2=v2" with keys and values percent-encoded, or "" for no parameters.
std::string BuildQueryString(const std::vector<std::pair<std::string, std::string>>& params);

}  // namespace tokenscope::cli
