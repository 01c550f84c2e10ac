// ServerConfig: everything `tokenscope serve` can be told, after flags, the YAML config file
// and TOKENSCOPE_* environment variables have been merged (src/cli/config_loader.h does that).
// Plain data.
#pragma once

#include <cstdint>
#include <string>

#include "redact/redaction_config.h"

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
  uint64_t max_spans_per_request = 100'000;  // spans, log records or metric points per request
  uint64_t max_attributes = 1'024;           // per span, event, link or log record
  uint64_t max_attribute_value_bytes = 1u << 20;
  uint64_t max_events_per_span = 1'024;
  uint64_t max_links_per_span = 1'024;
  uint64_t max_spans_per_trace = 0;
  // Free space kept on the data directory's disk; below it writes are refused (retry later).
  uint64_t min_free_disk_bytes = uint64_t{128} << 20;
  // Retention (RetentionWorker): how long data is kept, 0 = forever; per-project overrides as
  // "alpha=7d,beta=0"; how often expired data is deleted.
  uint64_t retention_ttl_ns = 0;
  std::string retention_projects;
  uint64_t retention_interval_ns = 60'000'000'000;
  // Rollups (src/rollup/): the allocation dimensions of every cell as
  // rollup::ParseAllocationDimensions reads them, the distinct values kept per dimension and
  // project (the rest fold into __other__), and how long cells are kept (0 = forever).
  std::string rollup_dimensions;
  uint64_t rollup_max_values_per_dimension = 1'000;
  uint64_t rollup_retention_ns = 400ull * 24 * 3600 * 1'000'000'000;
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
  // Redaction of secrets and personal data before storage (docs/redaction.md): on when
  // redaction.enabled / --redact is true (a `redaction:` section turns it on unless it says
  // otherwise); `redaction` holds the section's rules (built-in detectors everywhere by default).
  bool redaction_enabled = false;
  redact::RedactionConfig redaction;
};

}  // namespace tokenscope::server
