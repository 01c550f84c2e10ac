// libFuzzer target for the YAML config loader (src/cli/config_loader.h).
//
// Any input must parse or fail with a Status; yaml-cpp exceptions must never escape. Input that
// parses must give a config that passes validation, and applying the same text again on top
// of its own result must change nothing (every key the file sets is simply overwritten).

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "cli/config_loader.h"

namespace {

// Real config files are a few hundred bytes; bigger inputs only slow yaml-cpp down.
constexpr size_t kMaxInputBytes = 64 * 1024;

bool SameConfig(const tokenscope::server::ServerConfig& a,
                const tokenscope::server::ServerConfig& b) {
  return a.data_dir == b.data_dir && a.http_address == b.http_address &&
         a.grpc_address == b.grpc_address && a.project == b.project &&
         a.max_body_bytes == b.max_body_bytes && a.io_threads == b.io_threads &&
         a.worker_threads == b.worker_threads && a.log_level == b.log_level;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tokenscope;
  if (size > kMaxInputBytes) return 0;
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  StatusOr<server::ServerConfig> config = cli::ParseServerConfigYaml(text, {});
  if (!config.ok()) {
    if (config.status().code() != StatusCode::kInvalidArgument) __builtin_trap();
    if (config.status().message().empty()) __builtin_trap();
    return 0;
  }
  if (!cli::ValidateServerConfig(*config).ok()) __builtin_trap();

  StatusOr<server::ServerConfig> again = cli::ParseServerConfigYaml(text, *config);
  if (!again.ok() || !SameConfig(*again, *config)) __builtin_trap();
  return 0;
}
