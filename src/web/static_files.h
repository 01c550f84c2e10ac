// What a GET of a non-API path returns: a file of the embedded web UI, or the UI's
// index.html for the app's own routes (the single-page-app fallback, so that a deep link like
// /traces/<id>?span=<id> loads the app, which then reads the URL). Independent of the HTTP
// library: the server turns a StaticFile into its response. Pure functions over immutable
// embedded data; thread-safe.
#pragma once

#include <optional>
#include <string_view>

#include "web/assets.h"

namespace tokenscope::web {

struct StaticFile {
  const Asset* asset = nullptr;
  std::string_view cache_control;
  bool not_modified = false;  // the client's If-None-Match names this version: send 304
  bool gzip = false;          // send asset->gzip_body with Content-Encoding: gzip
};

// `path` is the decoded request path without the query string; `if_none_match` and
// `accept_encoding` are the request's headers ("" when absent). Returns nullopt when the path
// names a file that does not exist (a missing /assets/... or favicon.ico): a 404, not the app.
//
// Cache policy: files under /assets/ have content hashes in their names and are immutable for
// a year; index.html (and so every app route) must be revalidated on each load, so that a new
// binary's UI is picked up at once; other files may be cached for an hour.
std::optional<StaticFile> LookupStaticFile(std::string_view path, std::string_view if_none_match,
                                           std::string_view accept_encoding);

// Finds an embedded file by exact path, or nullptr.
const Asset* FindAsset(std::string_view path);

}  // namespace tokenscope::web
