#include "base/gzip.h"

#include <zlib.h>

#include <algorithm>

namespace tokenscope {

StatusOr<std::string> GzipDecompress(std::string_view compressed, size_t max_output_bytes) {
  z_stream zs{};
  // 15 window bits + 32: detect gzip or zlib headers automatically.
  if (inflateInit2(&zs, 15 + 32) != Z_OK) return Internal("zlib inflateInit2 failed");
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(compressed.data()));
  zs.avail_in = static_cast<uInt>(compressed.size());

  std::string out;
  out.resize(std::min<size_t>(std::max<size_t>(compressed.size() * 4, 4096), max_output_bytes + 1));
  int rc = Z_OK;
  while (true) {
    if (zs.total_out == out.size()) {
      if (out.size() > max_output_bytes) break;
      out.resize(std::min(out.size() * 2, max_output_bytes + 1));
    }
    zs.next_out = reinterpret_cast<Bytef*>(out.data() + zs.total_out);
    zs.avail_out = static_cast<uInt>(out.size() - zs.total_out);
    rc = inflate(&zs, Z_NO_FLUSH);
    if (rc == Z_STREAM_END) break;
    if (rc == Z_BUF_ERROR && zs.avail_in == 0) break;  // input ended before the stream did
    if (rc != Z_OK && rc != Z_BUF_ERROR) break;
  }
  size_t produced = zs.total_out;
  const char* msg = zs.msg;
  inflateEnd(&zs);
  if (produced > max_output_bytes) {
    return ResourceExhausted("decompressed body exceeds " + std::to_string(max_output_bytes) +
                             " bytes");
  }
  if (rc != Z_STREAM_END) {
    return InvalidArgument(std::string("invalid gzip body: ") +
                           (msg != nullptr ? msg : "truncated stream"));
  }
  out.resize(produced);
  return out;
}

std::string GzipCompress(std::string_view data, int level) {
  z_stream zs{};
  deflateInit2(&zs, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
  std::string out;
  out.resize(deflateBound(&zs, data.size()) + 32);
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  deflate(&zs, Z_FINISH);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

}  // namespace tokenscope
