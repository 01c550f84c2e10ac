// The key file: the API keys of every project, kept beside the store as
// <data_dir>/keys.json — {"version": 1, "keys": [{id, project, scope, secret_sha256,
// created_unix, revoked_unix, description}, …]}. Written whole to a temporary file, synced and
// renamed over the old one, so a reader (the running server) sees the old file or the new one,
// never half of one. Mutations (create, revoke) hold an exclusive lock on <file>.lock across
// read-modify-write, so two `tokenscope keys` commands never lose each other's change.
// Stateless functions; thread- and process-safe as described.
#pragma once

#include <string>
#include <vector>

#include "auth/api_key.h"
#include "base/status.h"

namespace tokenscope::auth {

// <data_dir>/keys.json
std::string KeyFilePath(const std::string& data_dir);

// The keys in `path`; an empty list when the file does not exist. A malformed file is an
// error naming it (never silently "no keys", which would open the server).
StatusOr<std::vector<ApiKey>> LoadKeyFile(const std::string& path);

// Replaces the file's contents atomically (the directory is created if needed).
Status SaveKeyFile(const std::string& path, const std::vector<ApiKey>& keys);

// Creates a key for `project` and adds it to the file; returns it with its secret.
StatusOr<NewKey> CreateKeyInFile(const std::string& path, const std::string& project,
                                 KeyScope scope, const std::string& description);

// Marks the key with public id `id` revoked; NotFound when no key has that id. Revoking a
// revoked key is not an error (and keeps the first revocation time).
StatusOr<ApiKey> RevokeKeyInFile(const std::string& path, const std::string& id);

}  // namespace tokenscope::auth
