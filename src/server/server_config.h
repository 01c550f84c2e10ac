// ServerConfig: everything `tokenscope serve` can be told, after flags, the YAML config file
// and TOKENSCOPE_* environment variables have been merged (src/cli/config_loader.h does that).
// Plain data.
#pragma once

#include <cstdint>
#include <string>

namespace tokenscope::server {

struct ServerConfig {
  std::string data_dir = "./data";
  std::string http_address = "127.0.0.1:4318";  // port 0 picks a free port
  std::string grpc_address = "127.0.0.1:4317";
  std::string project = "default";        // local mode: every request belongs to this project
  uint64_t max_body_bytes = 64ull << 20;  // after decompression too (OTLP recommends 64 MiB)
  // Request bytes held in memory at once (read, queued or being written). Past it, new
  // requests get 429 with Retry-After instead of growing memory without bound.
  uint64_t max_inflight_bytes = 256ull << 20;
  // Ingest limits (pipeline/limits.h); 0 = no limit.
  uint64_t max_spans_per_request = 100'000;  // spans or log records per request
  uint64_t max_attributes = 1'024;           // per span, event, link or log record
  uint64_t max_attribute_value_bytes = 1u << 20;
  uint64_t max_events_per_span = 1'024;
  uint64_t max_links_per_span = 1'024;
  uint64_t max_spans_per_trace = 0;
  int io_threads = 2;      // network event loops
  int worker_threads = 8;  // decode + durable write; blocks on fsync, so more than cores
  std::string log_level = "info";
  // A price file of the format of src/enrich/prices.yaml whose entries override and extend the
  // built-in price table; empty = built-in prices only.
  std::string pricing_file;
  // PEM certificate chain and private key. Both set: both listeners speak TLS only (HTTPS and
  // gRPC over TLS); both empty: plaintext. The loader rejects one without the other.
  std::string tls_cert_file;
  std::string tls_key_file;
  // Allows listening on a non-loopback address without API keys.
  bool insecure = false;
};

}  // namespace tokenscope::server
