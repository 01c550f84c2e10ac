// API keys: who may read or write a project's data. A key is a public id ("pk-ts-…", safe to
// show and log) and a secret ("sk-ts-…", shown once when created); only the SHA-256 of the
// secret is kept, so the key file never holds a usable credential. Secrets carry 190 bits of
// randomness, which makes a fast hash sufficient (no password stretching is needed against a
// search space that large). Plain data and stateless functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/status.h"

namespace tokenscope::auth {

enum class KeyScope : uint8_t {
  kReadOnly,   // query the project's data
  kReadWrite,  // also send data to it and run admin operations on it
};
std::string_view KeyScopeName(KeyScope scope);  // "read-only" / "read-write"
std::optional<KeyScope> ParseKeyScope(std::string_view name);

struct ApiKey {
  std::string id;  // public id, "pk-ts-" + 16 hex digits
  std::string project;
  KeyScope scope = KeyScope::kReadOnly;
  std::string secret_sha256;  // lowercase hex of SHA-256(secret)
  int64_t created_unix = 0;
  int64_t revoked_unix = 0;  // 0 while the key is active
  std::string description;

  bool active() const { return revoked_unix == 0; }
};

// Project names: 1-64 of [a-z0-9_-], starting with a letter or digit.
Status ValidateProjectName(std::string_view project);

// A new key for `project`: its record and, once, its secret.
struct NewKey {
  ApiKey key;
  std::string secret;
};
StatusOr<NewKey> GenerateKey(std::string_view project, KeyScope scope, int64_t now_unix);

// Lowercase hex SHA-256 of `secret`.
std::string HashSecret(std::string_view secret);

// Compares two strings in time that depends only on their lengths.
bool ConstantTimeEquals(std::string_view a, std::string_view b);

}  // namespace tokenscope::auth
