// The files of the built web UI, compiled into the binary (generated web_assets.cc, see
// CMakeLists.txt). Immutable static data; safe to read from any thread.
#pragma once

#include <span>
#include <string_view>

namespace tokenscope::web {

struct Asset {
  std::string_view path;          // "/index.html", "/assets/index-3f9c1a2b.js"
  std::string_view content_type;  // "text/javascript; charset=utf-8"
  std::string_view etag;          // quoted strong validator of the content
  std::string_view body;          // the bytes as built
  std::string_view gzip_body;     // a gzip copy, or empty when gzip would not pay
};

// Every embedded file, sorted by path.
std::span<const Asset> EmbeddedAssets();

}  // namespace tokenscope::web
