// `tokenscope keys create|list|revoke`: API key management on the key file beside the store
// (<data_dir>/keys.json; auth/key_file.h). Works whether or not the server is running: a running
// server picks up changes within a second. Output goes to the given streams so tests can capture
// it; the return value is the process exit code. Stateless; thread-safe as long as the streams
// are not shared.
#pragma once

#include <optional>
#include <ostream>
#include <string>

namespace tokenscope::cli {

struct KeysOptions {
  std::string data_dir;  // where the store and its key file live
  bool json = false;     // machine-readable output
};

// Creates a key; prints its public id and, once, its secret.
int RunKeysCreate(const KeysOptions& options, const std::string& project, const std::string& scope,
                  const std::string& description, std::ostream& out, std::ostream& err);

// Lists keys (of one project when given): id, project, scope, created, revoked. Never secrets.
int RunKeysList(const KeysOptions& options, const std::optional<std::string>& project,
                std::ostream& out, std::ostream& err);

// Revokes the key with public id `id`.
int RunKeysRevoke(const KeysOptions& options, const std::string& id, std::ostream& out,
                  std::ostream& err);

}  // namespace tokenscope::cli
