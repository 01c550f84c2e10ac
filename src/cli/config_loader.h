// Config loading for `tokenscope serve`: merges the built-in defaults, a YAML config file,
// TOKENSCOPE_* environment variables and command-line flags into one validated
// server::ServerConfig. Later layers win: defaults < file < environment < flags.
//
// Every setting has exactly one config key, one environment variable and one flag; the table
// returned by ServerSettingDocs() is the single place they are named, so `--help`, the loader
// and deploy/tokenscope.example.yaml cannot drift apart silently.
//
// Error policy: an unknown config key, a value of the wrong type or an out-of-range value is an
// InvalidArgument naming where it came from (file line/column, environment variable or flag).
// Typos are never ignored. All functions are pure apart from reading the config file; they are
// thread-safe as long as the injected environment lookup is.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "base/status.h"
#include "server/server_config.h"

namespace tokenscope::cli {

// Looks up an environment variable; nullopt when it is not set.
using EnvLookup = std::function<std::optional<std::string>(std::string_view name)>;

// The process environment (getenv).
EnvLookup ProcessEnvironment();

// Values given as command-line flags; nullopt means "flag not given".
struct ServerFlagOverrides {
  std::optional<std::string> data_dir;
  std::optional<std::string> http_address;
  std::optional<std::string> grpc_address;
  std::optional<uint64_t> max_body_bytes;
  std::optional<uint64_t> max_inflight_bytes;
  std::optional<int> io_threads;
  std::optional<int> worker_threads;
  std::optional<std::string> log_level;
  std::optional<std::string> pricing_file;
  std::optional<std::string> tls_cert_file;
  std::optional<std::string> tls_key_file;
  std::optional<bool> insecure;
  std::optional<bool> redact;
  std::optional<uint64_t> max_spans_per_request;
  std::optional<uint64_t> max_attributes;
  std::optional<uint64_t> max_attribute_value_bytes;
  std::optional<uint64_t> max_events_per_span;
  std::optional<uint64_t> max_links_per_span;
  std::optional<uint64_t> max_spans_per_trace;
  std::optional<uint64_t> min_free_disk_bytes;
  std::optional<std::string> retention_ttl_ns;  // durations as given ("7d")
  std::optional<std::string> retention_projects;
  std::optional<std::string> retention_interval_ns;
  std::optional<std::string> rollup_dimensions;
  std::optional<std::string> rollup_max_values;
  std::optional<std::string> rollup_retention_ns;
};

struct ConfigSources {
  // --config. When unset, TOKENSCOPE_CONFIG (via `env`) names the file; when neither is set
  // no file is read.
  std::optional<std::string> config_file;
  // Environment lookup; an empty function means "no environment". Variables set to the empty
  // string count as unset, so `TOKENSCOPE_HTTP= tokenscope serve` falls back cleanly.
  EnvLookup env;
  ServerFlagOverrides flags;
};

// Builds the effective config: defaults < config file < environment < flags, then validates
// (including that the TLS certificate and key files, when set, can be opened for reading).
StatusOr<server::ServerConfig> LoadServerConfig(const ConfigSources& sources);

// Parses YAML config text and applies the keys it sets on top of `base`. An empty document
// (or one holding only comments) leaves `base` unchanged; a key set to null counts as unset.
// Errors carry 1-based "line L, column C". The result is validated as a whole.
StatusOr<server::ServerConfig> ParseServerConfigYaml(std::string_view text,
                                                     server::ServerConfig base);

// Checks every field of a merged config (the same rules the individual layers apply).
Status ValidateServerConfig(const server::ServerConfig& config);

// The TLS certificate and key are set together or not at all.
Status ValidateTlsPair(const server::ServerConfig& config);
// The TLS certificate and key files that are set can be opened for reading (the only check
// that touches the file system; their contents are checked when the server starts).
Status CheckTlsFilesReadable(const server::ServerConfig& config);

// Field rules, shared by the layers and by the command-line parser's own checks.
// HOST:PORT with a non-empty host (bracketed for IPv6: "[::1]:4318") and port 0-65535.
Status ValidateListenAddress(std::string_view address);
// An integer in [kMinThreads, kMaxThreads].
Status ValidateThreadCount(int64_t threads);
// At least kMinMaxBodyBytes.
Status ValidateMaxBodyBytes(uint64_t bytes);
// One of trace, debug, info, warn, error (case-insensitive); returns the lowercase form.
StatusOr<std::string> NormalizeLogLevel(std::string_view level);
// A plain decimal number (no sign, no spaces, no 0x) that fits in 64 bits.
StatusOr<uint64_t> ParseDecimalUint64(std::string_view text);
// true/false (any case) or 1/0.
StatusOr<bool> ParseBoolean(std::string_view text);

inline constexpr int kMinThreads = 1;
inline constexpr int kMaxThreads = 1024;
inline constexpr uint64_t kMinMaxBodyBytes = 1024;

// One serve setting as a user sees it.
struct SettingDoc {
  std::string_view flag;        // "--http"
  std::string_view env_var;     // "TOKENSCOPE_HTTP"
  std::string_view config_key;  // "http.address" (dotted path into the YAML file)
  std::string_view value_name;  // "HOST:PORT", for --help
  std::string_view description;
};

// Every setting LoadServerConfig understands, in the order --help lists them.
std::span<const SettingDoc> ServerSettingDocs();

// The doc of the setting with this flag; nullptr for an unknown flag.
const SettingDoc* FindSettingByFlag(std::string_view flag);

// The --help text of a setting: its description, built-in default, env var and config key.
std::string SettingHelpText(const SettingDoc& doc);

// The env var naming the config file.
inline constexpr std::string_view kConfigFileEnvVar = "TOKENSCOPE_CONFIG";

}  // namespace tokenscope::cli
