#include "web/static_files.h"

#include <algorithm>

namespace tokenscope::web {
namespace {

constexpr std::string_view kImmutable = "public, max-age=31536000, immutable";
constexpr std::string_view kRevalidate = "no-cache";
constexpr std::string_view kHour = "public, max-age=3600";

// An app route is a path whose last segment has no file extension ("/traces/abc", "/").
bool IsAppRoute(std::string_view path) {
  const size_t slash = path.rfind('/');
  const std::string_view last = slash == std::string_view::npos ? path : path.substr(slash + 1);
  return last.find('.') == std::string_view::npos;
}

// True when the comma-separated If-None-Match list names `etag` (or is "*").
bool Matches(std::string_view if_none_match, std::string_view etag) {
  while (!if_none_match.empty()) {
    const size_t comma = if_none_match.find(',');
    std::string_view item = if_none_match.substr(0, comma);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (item.starts_with("W/")) item.remove_prefix(2);
    if (item == etag || item == "*") return true;
    if (comma == std::string_view::npos) break;
    if_none_match.remove_prefix(comma + 1);
  }
  return false;
}

// Accept-Encoding names gzip with a non-zero quality (q=0 refuses it).
bool AcceptsGzip(std::string_view accept_encoding) {
  size_t at = accept_encoding.find("gzip");
  if (at == std::string_view::npos) return false;
  std::string_view rest = accept_encoding.substr(at + 4);
  rest = rest.substr(0, rest.find(','));
  const size_t q = rest.find("q=");
  if (q == std::string_view::npos) return true;
  std::string_view value = rest.substr(q + 2);
  return !(value.starts_with("0") && value.find_first_of("123456789") == std::string_view::npos);
}

}  // namespace

const Asset* FindAsset(std::string_view path) {
  std::span<const Asset> assets = EmbeddedAssets();
  auto it = std::lower_bound(assets.begin(), assets.end(), path,
                             [](const Asset& a, std::string_view p) { return a.path < p; });
  return it != assets.end() && it->path == path ? &*it : nullptr;
}

std::optional<StaticFile> LookupStaticFile(std::string_view path, std::string_view if_none_match,
                                           std::string_view accept_encoding) {
  StaticFile file;
  if (path == "/" || path == "/index.html") {
    file.asset = FindAsset("/index.html");
  } else if ((file.asset = FindAsset(path)) == nullptr) {
    if (path.starts_with("/assets/") || !IsAppRoute(path)) return std::nullopt;
    file.asset = FindAsset("/index.html");
  }
  if (file.asset == nullptr) return std::nullopt;
  file.cache_control = file.asset->path == "/index.html"          ? kRevalidate
                       : file.asset->path.starts_with("/assets/") ? kImmutable
                                                                  : kHour;
  file.not_modified = !if_none_match.empty() && Matches(if_none_match, file.asset->etag);
  file.gzip = !file.asset->gzip_body.empty() && AcceptsGzip(accept_encoding);
  return file;
}

}  // namespace tokenscope::web
