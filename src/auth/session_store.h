// SessionStore: the web UI's sign-in sessions. `POST /api/v1/auth/login` trades a valid API key
// for a random 256-bit session token that the browser keeps in an HttpOnly cookie; the key itself
// never stays in the browser.
//
// Sessions live in memory only (a restart signs every browser out). The store keeps the SHA-256
// of each token, never the token, with the principal it was issued for (project, scope, key id)
// and a fixed expiry: the lifetime is set at login and is not extended by use. The number of
// sessions is bounded; when full, expired sessions are dropped first, then the oldest.
//
// A session does not outlive its key: Lookup hands the key id to a check (the Authenticator's
// AuthenticateKeyId) on every use, so a revoked key's sessions stop working as soon as the
// Authenticator sees the revocation, and are deleted then.
//
// Thread-safe: every method takes the store's mutex.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <list>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "auth/authenticator.h"
#include "base/status.h"

namespace tokenscope::auth {

struct SessionStoreOptions {
  std::chrono::seconds default_ttl{std::chrono::hours(12)};
  size_t max_sessions = 10000;
  // Unix time in nanoseconds; tests replace it.
  std::function<int64_t()> now_unix_ns;
};

class SessionStore {
 public:
  explicit SessionStore(SessionStoreOptions options = {});
  SessionStore(const SessionStore&) = delete;
  SessionStore& operator=(const SessionStore&) = delete;

  struct Created {
    std::string token;  // 64 lowercase hex digits (32 random bytes); given out once
    int64_t expires_unix_ns = 0;
  };
  // A new session for `principal`, valid for `ttl` (the default TTL when zero).
  StatusOr<Created> Create(const Principal& principal,
                           std::chrono::seconds ttl = std::chrono::seconds(0));

  struct Session {
    Principal principal;
    int64_t expires_unix_ns = 0;
  };
  // Checks a session's key on every use: given the key id, the principal the key grants now
  // (or an error). Unauthenticated from it deletes the session.
  using KeyCheck = std::function<StatusOr<Principal>(const std::string& key_id)>;

  // The session of `token` with the principal `check` returns, or Unauthenticated (unknown,
  // expired or revoked; the session is deleted) or the check's other errors (e.g.
  // PermissionDenied for a read-only key asking to write; the session is kept).
  StatusOr<Session> Lookup(std::string_view token, const KeyCheck& check);

  // Deletes the session of `token`, if any. True when one existed.
  bool Delete(std::string_view token);

  size_t size();

  // What the store keys sessions by: lowercase hex SHA-256 of the token.
  static std::string HashToken(std::string_view token);

 private:
  struct Entry {
    Principal principal;
    int64_t expires_unix_ns = 0;
    std::list<std::string>::iterator order;  // position in order_
  };
  int64_t Now() const;
  void EraseLocked(std::unordered_map<std::string, Entry>::iterator it);

  SessionStoreOptions options_;
  std::mutex mu_;
  std::unordered_map<std::string, Entry> by_hash_;
  std::list<std::string> order_;  // token hashes, oldest first
};

}  // namespace tokenscope::auth
