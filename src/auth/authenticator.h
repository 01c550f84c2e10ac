// Authenticator: decides which project a request belongs to and what it may do, from the
// credentials it presents — `Authorization: Bearer <secret>`, HTTP Basic `<public id>:<secret>`
// (as Langfuse SDKs send their public and secret key), or `x-api-key: <secret>` — over HTTP
// headers and gRPC metadata alike.
//
// The keys come from the key file (key_file.h), re-read when it changes (checked at most once a
// second), so `tokenscope keys create|revoke` takes effect on a running server without a
// restart. With no active key at all the server is in local mode: every request belongs to
// the local project and may read and write, and credentials are ignored.
//
// Owns its snapshot of the keys. Thread-safe: Authenticate runs on many threads at once; a
// reload swaps an immutable snapshot under a mutex.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "auth/api_key.h"
#include "base/status.h"

namespace tokenscope::auth {

// What a request showed. Any field may be empty.
struct PresentedCredentials {
  std::string authorization;  // the Authorization header / metadata value, whole
  std::string api_key;        // the x-api-key header / metadata value
};

enum class Access { kRead, kWrite };

struct Principal {
  std::string project;
  KeyScope scope = KeyScope::kReadWrite;
  std::string key_id;  // empty in local mode
};

class Authenticator {
 public:
  // `key_file` is watched; `local_project` serves every request in local mode.
  Authenticator(std::string key_file, std::string local_project);
  Authenticator(const Authenticator&) = delete;
  Authenticator& operator=(const Authenticator&) = delete;

  // Reads the key file now. An unreadable or malformed file is an error (at startup the
  // server refuses to start; later reloads keep the last good snapshot and log).
  Status Load();

  // The principal, or Unauthenticated (no, malformed, unknown or revoked credentials) or
  // PermissionDenied (a read-only key asking to write).
  StatusOr<Principal> Authenticate(const PresentedCredentials& credentials, Access access);

  // The principal of the active key with public id `key_id` (for a session signed in with it):
  // Unauthenticated once the key is revoked or gone, PermissionDenied as above. In local mode,
  // the local principal.
  StatusOr<Principal> AuthenticateKeyId(const std::string& key_id, Access access);

  // True while no active key exists.
  bool local_mode();
  // Active keys, for the startup message.
  size_t active_keys();

 private:
  struct Snapshot {
    std::unordered_map<std::string, ApiKey> by_secret_hash;          // active keys only
    std::unordered_map<std::string, std::string> secret_hash_by_id;  // active keys only
  };

  // The current snapshot, reloaded first when the file changed since the last check (the
  // check itself runs at most once per kCheckInterval).
  std::shared_ptr<const Snapshot> Current();
  Status Reload();

  static constexpr std::chrono::milliseconds kCheckInterval{1000};

  const std::string key_file_;
  const std::string local_project_;
  std::mutex mu_;  // guards snapshot_ and file_stamp_
  std::shared_ptr<const Snapshot> snapshot_;
  std::string file_stamp_;  // mtime and size of the file the snapshot came from
  std::atomic<int64_t> next_check_ns_{0};
};

}  // namespace tokenscope::auth
