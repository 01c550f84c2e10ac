#include "cli/config_loader.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <set>
#include <variant>
#include <vector>

#include <fmt/format.h>
#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/yaml.h>

#include "base/duration.h"
#include "redact/config_yaml.h"
#include "rollup/rollup.h"

namespace tokenscope::cli {
namespace {

using server::ServerConfig;

// How a setting's text is parsed and checked.
enum class SettingKind {
  kPath,
  kAddress,
  kThreads,
  kBodyBytes,
  kCount,
  kDuration,
  kNamedDurations,
  kDimensions,
  kLogLevel,
  kBool
};

using FieldPointer = std::variant<std::string ServerConfig::*, int ServerConfig::*,
                                  uint64_t ServerConfig::*, bool ServerConfig::*>;

struct Setting {
  SettingDoc doc;
  SettingKind kind;
  FieldPointer field;
};

const Setting kSettings[] = {
    {{"--data", "TOKENSCOPE_DATA", "data_dir", "DIR",
      "Directory holding the embedded store; created if missing"},
     SettingKind::kPath,
     &ServerConfig::data_dir},
    {{"--http", "TOKENSCOPE_HTTP", "http.address", "HOST:PORT",
      "Listen address for OTLP/HTTP ingest and the query API; port 0 picks a free port"},
     SettingKind::kAddress,
     &ServerConfig::http_address},
    {{"--grpc", "TOKENSCOPE_GRPC", "grpc.address", "HOST:PORT",
      "Listen address for OTLP/gRPC ingest: TraceService and LogsService Export, gzip, "
      "grpc.health.v1 (port 0 picks a free port)"},
     SettingKind::kAddress,
     &ServerConfig::grpc_address},
    {{"--tls-cert", "TOKENSCOPE_TLS_CERT", "tls.cert_file", "FILE",
      "PEM certificate chain (server certificate first). With --tls-key, both listeners speak "
      "TLS only: HTTPS and gRPC over TLS"},
     SettingKind::kPath,
     &ServerConfig::tls_cert_file},
    {{"--tls-key", "TOKENSCOPE_TLS_KEY", "tls.key_file", "FILE",
      "PEM private key of the --tls-cert certificate"},
     SettingKind::kPath,
     &ServerConfig::tls_key_file},
    {{"--max-body-bytes", "TOKENSCOPE_MAX_BODY_BYTES", "limits.max_body_bytes", "N",
      "Largest accepted request body in bytes, before and after decompression (at least 1024)"},
     SettingKind::kBodyBytes,
     &ServerConfig::max_body_bytes},
    {{"--max-inflight-bytes", "TOKENSCOPE_MAX_INFLIGHT_BYTES", "limits.max_inflight_bytes", "N",
      "Request bytes held in memory at once; past it new requests get 429 with Retry-After "
      "(HTTP) or UNAVAILABLE with a retry delay (gRPC) (at least 1024)"},
     SettingKind::kBodyBytes,
     &ServerConfig::max_inflight_bytes},
    {{"--max-spans-per-request", "TOKENSCOPE_MAX_SPANS_PER_REQUEST", "limits.max_spans_per_request",
      "N",
      "Spans (or log records, or metric data points) one request may carry; the rest are rejected "
      "as a partial success (0: no limit)"},
     SettingKind::kCount,
     &ServerConfig::max_spans_per_request},
    {{"--max-attributes", "TOKENSCOPE_MAX_ATTRIBUTES", "limits.max_attributes", "N",
      "Attributes kept per span, event, link or log record; extra ones are dropped and counted in "
      "dropped_attributes_count (0: no limit)"},
     SettingKind::kCount,
     &ServerConfig::max_attributes},
    {{"--max-attribute-value-bytes", "TOKENSCOPE_MAX_ATTRIBUTE_VALUE_BYTES",
      "limits.max_attribute_value_bytes", "N",
      "Longest string or bytes value kept; longer ones are cut and the span marked with "
      "tokenscope.truncated_values (0: no limit)"},
     SettingKind::kCount,
     &ServerConfig::max_attribute_value_bytes},
    {{"--max-events-per-span", "TOKENSCOPE_MAX_EVENTS_PER_SPAN", "limits.max_events_per_span", "N",
      "Events kept per span; extra ones are dropped and counted in dropped_events_count (0: no "
      "limit)"},
     SettingKind::kCount,
     &ServerConfig::max_events_per_span},
    {{"--max-links-per-span", "TOKENSCOPE_MAX_LINKS_PER_SPAN", "limits.max_links_per_span", "N",
      "Links kept per span; extra ones are dropped and counted in dropped_links_count (0: no "
      "limit)"},
     SettingKind::kCount,
     &ServerConfig::max_links_per_span},
    {{"--max-spans-per-trace", "TOKENSCOPE_MAX_SPANS_PER_TRACE", "limits.max_spans_per_trace", "N",
      "Spans one trace may hold; spans past it are rejected as a partial success (0: no limit; a "
      "limit costs a store read per request)"},
     SettingKind::kCount,
     &ServerConfig::max_spans_per_trace},
    {{"--min-free-disk-bytes", "TOKENSCOPE_MIN_FREE_DISK_BYTES", "limits.min_free_disk_bytes", "N",
      "Free space kept on the data directory's disk; below it ingest is answered 503 (retry "
      "later) until space returns (0: no check)"},
     SettingKind::kCount,
     &ServerConfig::min_free_disk_bytes},
    {{"--retention", "TOKENSCOPE_RETENTION", "retention.ttl", "DUR",
      "How long spans and log records are kept (7d, 12h); 0 keeps them forever"},
     SettingKind::kDuration,
     &ServerConfig::retention_ttl_ns},
    {{"--retention-projects", "TOKENSCOPE_RETENTION_PROJECTS", "retention.projects", "LIST",
      "Per-project retention overriding --retention, like alpha=7d,beta=0"},
     SettingKind::kNamedDurations,
     &ServerConfig::retention_projects},
    {{"--retention-interval", "TOKENSCOPE_RETENTION_INTERVAL", "retention.interval", "DUR",
      "How often expired data is looked for and deleted"},
     SettingKind::kDuration,
     &ServerConfig::retention_interval_ns},
    {{"--rollup-dimensions", "TOKENSCOPE_ROLLUP_DIMENSIONS", "rollup.dimensions", "LIST",
      "Allocation dimensions of the rollups, for metrics and costs by team, feature, ...: "
      "NAME (a span attribute) or NAME=attr:KEY, NAME=resource:KEY, NAME=baggage:KEY, "
      "comma-separated"},
     SettingKind::kDimensions,
     &ServerConfig::rollup_dimensions},
    {{"--rollup-max-values", "TOKENSCOPE_ROLLUP_MAX_VALUES", "rollup.max_values_per_dimension", "N",
      "Distinct values the rollups keep per dimension and project; further values are counted "
      "under __other__ (0: no limit)"},
     SettingKind::kCount,
     &ServerConfig::rollup_max_values_per_dimension},
    {{"--rollup-retention", "TOKENSCOPE_ROLLUP_RETENTION", "rollup.retention", "DUR",
      "How long per-minute rollups (metrics and costs) are kept, usually longer than spans; 0 "
      "keeps them forever"},
     SettingKind::kDuration,
     &ServerConfig::rollup_retention_ns},
    {{"--io-threads", "TOKENSCOPE_IO_THREADS", "server.io_threads", "N",
      "Network event-loop threads (1-1024)"},
     SettingKind::kThreads,
     &ServerConfig::io_threads},
    {{"--worker-threads", "TOKENSCOPE_WORKER_THREADS", "server.worker_threads", "N",
      "Threads that decode requests and wait for durable writes (1-1024)"},
     SettingKind::kThreads,
     &ServerConfig::worker_threads},
    {{"--insecure", "TOKENSCOPE_INSECURE", "server.insecure", "",
      "Allow listening on a non-loopback address without API keys"},
     SettingKind::kBool,
     &ServerConfig::insecure},
    {{"--redact", "TOKENSCOPE_REDACT", "redaction.enabled", "",
      "Replace e-mail addresses, phone numbers, card numbers, API keys and IP addresses in "
      "message content with placeholders before storing it (rules: the redaction section, "
      "docs/redaction.md)"},
     SettingKind::kBool,
     &ServerConfig::redaction_enabled},
    {{"--pricing-file", "TOKENSCOPE_PRICING_FILE", "pricing.file", "FILE",
      "Price file (format of docs/pricing.md) whose entries override and extend the built-in "
      "prices"},
     SettingKind::kPath,
     &ServerConfig::pricing_file},
    {{"--log-level", "TOKENSCOPE_LOG_LEVEL", "log.level", "LEVEL",
      "Log verbosity: trace, debug, info, warn or error"},
     SettingKind::kLogLevel,
     &ServerConfig::log_level},
};

constexpr std::string_view kLogLevels[] = {"trace", "debug", "info", "warn", "error"};

// Config files are a few hundred bytes; the cap keeps `--config /dev/zero` from eating memory.
constexpr size_t kMaxConfigFileBytes = 1 << 20;

// Quotes a user-supplied value for an error message, shortened so a pasted blob stays readable.
std::string Quote(std::string_view text) {
  constexpr size_t kMaxShown = 64;
  if (text.size() > kMaxShown) return fmt::format("\"{}...\"", text.substr(0, kMaxShown));
  return fmt::format("\"{}\"", text);
}

std::string_view ExpectedValue(SettingKind kind) {
  switch (kind) {
    case SettingKind::kPath:
      return "a non-empty path";
    case SettingKind::kAddress:
      return "HOST:PORT";
    case SettingKind::kThreads:
      return "an integer between 1 and 1024";
    case SettingKind::kBodyBytes:
      return "an integer number of bytes (at least 1024)";
    case SettingKind::kCount:
      return "a non-negative integer (0: no limit)";
    case SettingKind::kDuration:
      return "a duration like 30s, 12h or 7d";
    case SettingKind::kNamedDurations:
      return "a list like alpha=7d,beta=0";
    case SettingKind::kDimensions:
      return "a list like team=resource:team.name,feature";
    case SettingKind::kLogLevel:
      return "one of trace, debug, info, warn, error";
    case SettingKind::kBool:
      return "true or false (or 1 or 0)";
  }
  return "a value";
}

// Parses an integer setting, phrasing a parse failure in terms of what the setting expects.
StatusOr<uint64_t> ParseIntegerSetting(SettingKind kind, std::string_view text) {
  StatusOr<uint64_t> number = ParseDecimalUint64(text);
  if (!number.ok()) {
    return InvalidArgument(fmt::format("expected {}, got {}", ExpectedValue(kind), Quote(text)));
  }
  return number;
}

// Parses `text` as the setting's kind, checks it and stores it into `config`.
Status ApplySettingText(const Setting& setting, std::string_view text, ServerConfig& config) {
  switch (setting.kind) {
    case SettingKind::kPath:
      if (text.empty()) return InvalidArgument("expected a non-empty path");
      config.*std::get<std::string ServerConfig::*>(setting.field) = std::string(text);
      return Status::Ok();
    case SettingKind::kAddress:
      TS_RETURN_IF_ERROR(ValidateListenAddress(text));
      config.*std::get<std::string ServerConfig::*>(setting.field) = std::string(text);
      return Status::Ok();
    case SettingKind::kThreads: {
      TS_ASSIGN_OR_RETURN(uint64_t threads, ParseIntegerSetting(setting.kind, text));
      if (threads < static_cast<uint64_t>(kMinThreads) ||
          threads > static_cast<uint64_t>(kMaxThreads)) {
        return InvalidArgument(
            fmt::format("expected {}, got {}", ExpectedValue(setting.kind), text));
      }
      config.*std::get<int ServerConfig::*>(setting.field) = static_cast<int>(threads);
      return Status::Ok();
    }
    case SettingKind::kBodyBytes: {
      TS_ASSIGN_OR_RETURN(uint64_t bytes, ParseIntegerSetting(setting.kind, text));
      TS_RETURN_IF_ERROR(ValidateMaxBodyBytes(bytes));
      config.*std::get<uint64_t ServerConfig::*>(setting.field) = bytes;
      return Status::Ok();
    }
    case SettingKind::kCount: {
      TS_ASSIGN_OR_RETURN(uint64_t count, ParseIntegerSetting(setting.kind, text));
      config.*std::get<uint64_t ServerConfig::*>(setting.field) = count;
      return Status::Ok();
    }
    case SettingKind::kDuration: {
      std::optional<uint64_t> ns = ParseDurationNanos(text);
      if (!ns) {
        return InvalidArgument(
            fmt::format("expected {}, got {}", ExpectedValue(setting.kind), Quote(text)));
      }
      config.*std::get<uint64_t ServerConfig::*>(setting.field) = *ns;
      return Status::Ok();
    }
    case SettingKind::kDimensions: {
      TS_RETURN_IF_ERROR(rollup::ParseAllocationDimensions(text).status());
      config.*std::get<std::string ServerConfig::*>(setting.field) = std::string(text);
      return Status::Ok();
    }
    case SettingKind::kNamedDurations: {
      TS_RETURN_IF_ERROR(ParseNamedDurations(text).status());
      config.*std::get<std::string ServerConfig::*>(setting.field) = std::string(text);
      return Status::Ok();
    }
    case SettingKind::kLogLevel: {
      TS_ASSIGN_OR_RETURN(std::string level, NormalizeLogLevel(text));
      config.*std::get<std::string ServerConfig::*>(setting.field) = std::move(level);
      return Status::Ok();
    }
    case SettingKind::kBool: {
      TS_ASSIGN_OR_RETURN(bool value, ParseBoolean(text));
      config.*std::get<bool ServerConfig::*>(setting.field) = value;
      return Status::Ok();
    }
  }
  return Internal("unhandled setting kind");
}

const Setting* FindSettingByKey(std::string_view key) {
  for (const Setting& setting : kSettings) {
    if (setting.doc.config_key == key) return &setting;
  }
  return nullptr;
}

// The keys directly inside `section` ("" for the top level), e.g. "http" -> {"address"}.
std::vector<std::string_view> KeysInSection(std::string_view section) {
  std::vector<std::string_view> keys;
  for (const Setting& setting : kSettings) {
    std::string_view key = setting.doc.config_key;
    if (!section.empty()) {
      if (key.size() <= section.size() + 1 || !key.starts_with(section) ||
          key[section.size()] != '.') {
        continue;
      }
      key.remove_prefix(section.size() + 1);
    }
    key = key.substr(0, key.find('.'));
    if (std::find(keys.begin(), keys.end(), key) == keys.end()) keys.push_back(key);
  }
  return keys;
}

bool IsSection(std::string_view path) {
  for (const Setting& setting : kSettings) {
    std::string_view key = setting.doc.config_key;
    if (key.size() > path.size() && key.starts_with(path) && key[path.size()] == '.') return true;
  }
  return false;
}

std::string_view NodeTypeName(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Map:
      return "a mapping";
    case YAML::NodeType::Scalar:
      return "a scalar";
    case YAML::NodeType::Null:
      return "null";
    case YAML::NodeType::Undefined:
      break;
  }
  return "an undefined value";
}

// "line 3, column 5: " for a node read from text; empty when yaml-cpp has no position.
std::string Position(const YAML::Mark& mark) {
  if (mark.is_null() || mark.line < 0 || mark.column < 0) return "";
  return fmt::format("line {}, column {}: ", mark.line + 1, mark.column + 1);
}

Status YamlError(const YAML::Mark& mark, std::string_view message) {
  return InvalidArgument(fmt::format("{}{}", Position(mark), message));
}

std::string Join(const std::vector<std::string_view>& items) {
  return fmt::format("{}", fmt::join(items, ", "));
}

// Applies one mapping of the YAML document. `section` is the dotted path of the mapping ("" for
// the document root); `seen` catches keys given twice, which yaml-cpp would otherwise accept.
Status ApplyYamlMapping(const YAML::Node& mapping, const std::string& section,
                        std::set<std::string>& seen, ServerConfig& config) {
  for (const auto& entry : mapping) {
    const YAML::Node& key_node = entry.first;
    const YAML::Node& value = entry.second;
    if (!key_node.IsScalar()) {
      return YamlError(key_node.Mark(),
                       fmt::format("keys must be plain names, got {}", NodeTypeName(key_node)));
    }
    const std::string& key = key_node.Scalar();
    std::string path = section.empty() ? key : section + "." + key;
    const Setting* setting = key.find('.') == std::string::npos ? FindSettingByKey(path) : nullptr;
    bool is_section = key.find('.') == std::string::npos && IsSection(path);
    if (setting == nullptr && !is_section) {
      std::string where = section.empty() ? "" : fmt::format(" in section \"{}\"", section);
      return YamlError(key_node.Mark(),
                       fmt::format("unknown config key {}{} (known keys here: {})", Quote(path),
                                   where, Join(KeysInSection(section))));
    }
    if (!seen.insert(path).second) {
      return YamlError(key_node.Mark(), fmt::format("duplicate config key {}", Quote(path)));
    }
    if (value.IsNull()) continue;  // `key:` with no value leaves the setting as it was
    if (path == "redaction") {     // lists of rules, which src/redact/ reads
      TS_ASSIGN_OR_RETURN(config.redaction,
                          redact::ParseRedactionYaml(value, &config.redaction_enabled));
      continue;
    }
    if (is_section) {
      if (!value.IsMap()) {
        return YamlError(value.Mark(),
                         fmt::format("{}: expected a mapping with keys {}, got {}", path,
                                     Join(KeysInSection(path)), NodeTypeName(value)));
      }
      TS_RETURN_IF_ERROR(ApplyYamlMapping(value, path, seen, config));
      continue;
    }
    if (!value.IsScalar()) {
      return YamlError(value.Mark(),
                       fmt::format("{}: expected {}, got {}", path, ExpectedValue(setting->kind),
                                   NodeTypeName(value)));
    }
    Status applied = ApplySettingText(*setting, value.Scalar(), config);
    if (!applied.ok())
      return YamlError(value.Mark(), fmt::format("{}: {}", path, applied.message()));
  }
  return Status::Ok();
}

StatusOr<std::string> ReadConfigFile(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return InvalidArgument(
        fmt::format("cannot open config file {}: {}", path, std::strerror(errno)));
  }
  std::string text;
  char buffer[8192];
  while (true) {
    ssize_t n = ::read(fd, buffer, sizeof(buffer));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int error = errno;
      ::close(fd);
      return InvalidArgument(
          fmt::format("cannot read config file {}: {}", path, std::strerror(error)));
    }
    if (n == 0) break;
    text.append(buffer, static_cast<size_t>(n));
    if (text.size() > kMaxConfigFileBytes) {
      ::close(fd);
      return InvalidArgument(
          fmt::format("config file {} is larger than {} bytes", path, kMaxConfigFileBytes));
    }
  }
  ::close(fd);
  return text;
}

std::optional<std::string> LookupNonEmpty(const EnvLookup& env, std::string_view name) {
  if (!env) return std::nullopt;
  std::optional<std::string> value = env(name);
  if (value.has_value() && value->empty()) return std::nullopt;
  return value;
}

Status ApplyEnvironment(const EnvLookup& env, ServerConfig& config) {
  for (const Setting& setting : kSettings) {
    std::optional<std::string> value = LookupNonEmpty(env, setting.doc.env_var);
    if (!value.has_value()) continue;
    Status applied = ApplySettingText(setting, *value, config);
    if (!applied.ok()) {
      return applied.WithContext(fmt::format("environment variable {}", setting.doc.env_var));
    }
  }
  return Status::Ok();
}

// Flags go through the same text rules as the file and the environment, so every layer reports
// the same message for the same mistake.
Status ApplyFlags(const ServerFlagOverrides& flags, ServerConfig& config) {
  auto as_text = [](const auto& value) -> std::optional<std::string> {
    if (!value.has_value()) return std::nullopt;
    if constexpr (std::is_same_v<std::decay_t<decltype(*value)>, std::string>) {
      return *value;
    } else if constexpr (std::is_same_v<std::decay_t<decltype(*value)>, bool>) {
      return std::string(*value ? "true" : "false");
    } else {
      return std::to_string(*value);
    }
  };
  const std::pair<std::string_view, std::optional<std::string>> given[] = {
      {"--data", as_text(flags.data_dir)},
      {"--http", as_text(flags.http_address)},
      {"--grpc", as_text(flags.grpc_address)},
      {"--max-body-bytes", as_text(flags.max_body_bytes)},
      {"--max-inflight-bytes", as_text(flags.max_inflight_bytes)},
      {"--max-spans-per-request", as_text(flags.max_spans_per_request)},
      {"--max-attributes", as_text(flags.max_attributes)},
      {"--max-attribute-value-bytes", as_text(flags.max_attribute_value_bytes)},
      {"--max-events-per-span", as_text(flags.max_events_per_span)},
      {"--max-links-per-span", as_text(flags.max_links_per_span)},
      {"--max-spans-per-trace", as_text(flags.max_spans_per_trace)},
      {"--min-free-disk-bytes", as_text(flags.min_free_disk_bytes)},
      {"--retention", as_text(flags.retention_ttl_ns)},
      {"--retention-projects", as_text(flags.retention_projects)},
      {"--retention-interval", as_text(flags.retention_interval_ns)},
      {"--rollup-dimensions", as_text(flags.rollup_dimensions)},
      {"--rollup-max-values", as_text(flags.rollup_max_values)},
      {"--rollup-retention", as_text(flags.rollup_retention_ns)},
      {"--io-threads", as_text(flags.io_threads)},
      {"--worker-threads", as_text(flags.worker_threads)},
      {"--pricing-file", as_text(flags.pricing_file)},
      {"--log-level", as_text(flags.log_level)},
      {"--tls-cert", as_text(flags.tls_cert_file)},
      {"--tls-key", as_text(flags.tls_key_file)},
      {"--insecure", as_text(flags.insecure)},
      {"--redact", as_text(flags.redact)},
  };
  for (const auto& [flag, value] : given) {
    if (!value.has_value()) continue;
    const Setting* setting = nullptr;
    for (const Setting& candidate : kSettings) {
      if (candidate.doc.flag == flag) setting = &candidate;
    }
    if (setting == nullptr) return Internal(fmt::format("no setting for flag {}", flag));
    Status applied = ApplySettingText(*setting, *value, config);
    if (!applied.ok()) return applied.WithContext(fmt::format("flag {}", flag));
  }
  return Status::Ok();
}

bool IsHostChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '.' || c == '-' || c == '_';
}

bool IsIpv6Char(char c) {
  return std::isxdigit(static_cast<unsigned char>(c)) != 0 || c == ':' || c == '.';
}

std::string DefaultValueText(const Setting& setting) {
  const ServerConfig defaults;
  return std::visit(
      [&](auto field) -> std::string {
        const auto& value = defaults.*field;
        if constexpr (std::is_same_v<std::decay_t<decltype(value)>, std::string>) {
          return value;
        } else if constexpr (std::is_same_v<std::decay_t<decltype(value)>, bool>) {
          return value ? "true" : "false";
        } else {
          return std::to_string(value);
        }
      },
      setting.field);
}

}  // namespace

EnvLookup ProcessEnvironment() {
  return [](std::string_view name) -> std::optional<std::string> {
    const char* value = std::getenv(std::string(name).c_str());
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  };
}

StatusOr<uint64_t> ParseDecimalUint64(std::string_view text) {
  if (text.empty()) return InvalidArgument("expected a number, got an empty string");
  if (!std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return InvalidArgument(fmt::format("expected a decimal number, got {}", Quote(text)));
  }
  uint64_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) {
    return InvalidArgument(fmt::format("number {} does not fit in 64 bits", Quote(text)));
  }
  return value;
}

// true/false as YAML writes them, 1/0 as environment variables often do.
StatusOr<bool> ParseBoolean(std::string_view text) {
  std::string lower(text);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (lower == "true" || lower == "1") return true;
  if (lower == "false" || lower == "0") return false;
  return InvalidArgument(
      fmt::format("expected {}, got {}", ExpectedValue(SettingKind::kBool), Quote(text)));
}

Status ValidateListenAddress(std::string_view address) {
  size_t colon = address.rfind(':');
  if (colon == std::string_view::npos) {
    return InvalidArgument(fmt::format("expected HOST:PORT, got {}", Quote(address)));
  }
  std::string_view host = address.substr(0, colon);
  std::string_view port = address.substr(colon + 1);
  if (host.empty()) {
    return InvalidArgument(
        fmt::format("expected HOST:PORT, got {} (use 0.0.0.0:PORT to listen on every interface)",
                    Quote(address)));
  }
  if (host.front() == '[') {
    bool well_formed = host.size() > 2 && host.back() == ']' &&
                       std::all_of(host.begin() + 1, host.end() - 1, IsIpv6Char);
    if (!well_formed) {
      return InvalidArgument(fmt::format("invalid IPv6 host in {}", Quote(address)));
    }
  } else if (host.find(':') != std::string_view::npos) {
    return InvalidArgument(
        fmt::format("IPv6 hosts must be bracketed, e.g. [::1]:4318; got {}", Quote(address)));
  } else if (!std::all_of(host.begin(), host.end(), IsHostChar)) {
    return InvalidArgument(fmt::format("invalid host in {}", Quote(address)));
  }
  StatusOr<uint64_t> port_number = ParseDecimalUint64(port);
  if (!port_number.ok() || *port_number > 65535) {
    return InvalidArgument(
        fmt::format("port must be a number from 0 to 65535, got {}", Quote(address)));
  }
  return Status::Ok();
}

Status ValidateThreadCount(int64_t threads) {
  if (threads < kMinThreads || threads > kMaxThreads) {
    return InvalidArgument(fmt::format("expected an integer between {} and {}, got {}", kMinThreads,
                                       kMaxThreads, threads));
  }
  return Status::Ok();
}

Status ValidateMaxBodyBytes(uint64_t bytes) {
  if (bytes < kMinMaxBodyBytes) {
    return InvalidArgument(
        fmt::format("expected at least {} bytes, got {}", kMinMaxBodyBytes, bytes));
  }
  return Status::Ok();
}

StatusOr<std::string> NormalizeLogLevel(std::string_view level) {
  std::string lower(level);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  for (std::string_view known : kLogLevels) {
    if (lower == known) return lower;
  }
  return InvalidArgument(
      fmt::format("expected one of trace, debug, info, warn, error, got {}", Quote(level)));
}

Status ValidateServerConfig(const ServerConfig& config) {
  if (config.data_dir.empty()) return InvalidArgument("data_dir: expected a non-empty path");
  Status status = ValidateListenAddress(config.http_address);
  if (!status.ok()) return status.WithContext("http.address");
  status = ValidateListenAddress(config.grpc_address);
  if (!status.ok()) return status.WithContext("grpc.address");
  status = ValidateMaxBodyBytes(config.max_body_bytes);
  if (!status.ok()) return status.WithContext("limits.max_body_bytes");
  status = ValidateThreadCount(config.io_threads);
  if (!status.ok()) return status.WithContext("server.io_threads");
  status = ValidateThreadCount(config.worker_threads);
  if (!status.ok()) return status.WithContext("server.worker_threads");
  StatusOr<std::string> level = NormalizeLogLevel(config.log_level);
  if (!level.ok()) return level.status().WithContext("log.level");
  return ValidateTlsPair(config);
}

Status ValidateTlsPair(const ServerConfig& config) {
  const bool has_cert = !config.tls_cert_file.empty();
  const bool has_key = !config.tls_key_file.empty();
  if (has_cert == has_key) return Status::Ok();
  return InvalidArgument(
      fmt::format("tls.cert_file (--tls-cert, TOKENSCOPE_TLS_CERT) and tls.key_file (--tls-key, "
                  "TOKENSCOPE_TLS_KEY) must be given together; only {} is set",
                  has_cert ? "tls.cert_file" : "tls.key_file"));
}

Status CheckTlsFilesReadable(const ServerConfig& config) {
  const std::pair<std::string_view, const std::string*> files[] = {
      {"tls.cert_file", &config.tls_cert_file}, {"tls.key_file", &config.tls_key_file}};
  for (const auto& [key, path] : files) {
    if (path->empty()) continue;
    int fd = ::open(path->c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      return InvalidArgument(
          fmt::format("{}: cannot read {}: {}", key, *path, std::strerror(errno)));
    }
    ::close(fd);
  }
  return Status::Ok();
}

StatusOr<ServerConfig> ParseServerConfigYaml(std::string_view text, ServerConfig base) {
  try {
    YAML::Node root = YAML::Load(std::string(text));
    if (root.IsNull()) {
      TS_RETURN_IF_ERROR(ValidateServerConfig(base));
      return base;
    }
    if (!root.IsMap()) {
      return YamlError(root.Mark(), fmt::format("the config must be a mapping of keys ({}), got {}",
                                                Join(KeysInSection("")), NodeTypeName(root)));
    }
    std::set<std::string> seen;
    TS_RETURN_IF_ERROR(ApplyYamlMapping(root, "", seen, base));
  } catch (const YAML::DeepRecursion& e) {
    return YamlError(e.mark, "the document nests too deeply");
  } catch (const YAML::Exception& e) {
    return YamlError(e.mark, e.msg);
  } catch (const std::exception& e) {
    return InvalidArgument(fmt::format("invalid YAML: {}", e.what()));
  }
  TS_RETURN_IF_ERROR(ValidateServerConfig(base));
  return base;
}

StatusOr<ServerConfig> LoadServerConfig(const ConfigSources& sources) {
  ServerConfig config;
  std::optional<std::string> path = sources.config_file;
  if (!path.has_value()) path = LookupNonEmpty(sources.env, kConfigFileEnvVar);
  if (path.has_value()) {
    TS_ASSIGN_OR_RETURN(std::string text, ReadConfigFile(*path));
    StatusOr<ServerConfig> from_file = ParseServerConfigYaml(text, config);
    if (!from_file.ok())
      return from_file.status().WithContext(fmt::format("config file {}", *path));
    config = std::move(from_file).value();
  }
  TS_RETURN_IF_ERROR(ApplyEnvironment(sources.env, config));
  TS_RETURN_IF_ERROR(ApplyFlags(sources.flags, config));
  TS_RETURN_IF_ERROR(ValidateServerConfig(config));
  TS_RETURN_IF_ERROR(CheckTlsFilesReadable(config));
  return config;
}

std::span<const SettingDoc> ServerSettingDocs() {
  static const std::vector<SettingDoc> docs = [] {
    std::vector<SettingDoc> result;
    for (const Setting& setting : kSettings) result.push_back(setting.doc);
    return result;
  }();
  return docs;
}

const SettingDoc* FindSettingByFlag(std::string_view flag) {
  for (const SettingDoc& doc : ServerSettingDocs()) {
    if (doc.flag == flag) return &doc;
  }
  return nullptr;
}

std::string SettingHelpText(const SettingDoc& doc) {
  std::string default_value;
  for (const Setting& setting : kSettings) {
    if (setting.doc.flag == doc.flag) default_value = DefaultValueText(setting);
  }
  return fmt::format("{} [default: {}; env: {}; config: {}]", doc.description, default_value,
                     doc.env_var, doc.config_key);
}

}  // namespace tokenscope::cli
