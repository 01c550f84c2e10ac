#include "auth/session_store.h"

#include <openssl/rand.h>

#include "auth/api_key.h"
#include "base/hex.h"

namespace tokenscope::auth {

SessionStore::SessionStore(SessionStoreOptions options) : options_(std::move(options)) {
  if (options_.max_sessions == 0) options_.max_sessions = 1;
}

int64_t SessionStore::Now() const {
  if (options_.now_unix_ns) return options_.now_unix_ns();
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string SessionStore::HashToken(std::string_view token) {
  return HashSecret(token);
}

void SessionStore::EraseLocked(std::unordered_map<std::string, Entry>::iterator it) {
  order_.erase(it->second.order);
  by_hash_.erase(it);
}

StatusOr<SessionStore::Created> SessionStore::Create(const Principal& principal,
                                                     std::chrono::seconds ttl) {
  if (ttl.count() <= 0) ttl = options_.default_ttl;
  unsigned char bytes[32];
  if (RAND_bytes(bytes, sizeof(bytes)) != 1) {
    return Internal("no randomness available for a session token");
  }
  Created created;
  created.token = HexEncode(std::string_view(reinterpret_cast<const char*>(bytes), sizeof(bytes)));
  const int64_t now = Now();
  created.expires_unix_ns = now + std::chrono::duration_cast<std::chrono::nanoseconds>(ttl).count();
  std::string hash = HashToken(created.token);

  std::lock_guard lock(mu_);
  if (by_hash_.size() >= options_.max_sessions) {
    for (auto it = by_hash_.begin(); it != by_hash_.end();) {
      auto next = std::next(it);
      if (it->second.expires_unix_ns <= now) EraseLocked(it);
      it = next;
    }
  }
  while (by_hash_.size() >= options_.max_sessions && !order_.empty()) {
    EraseLocked(by_hash_.find(order_.front()));
  }
  order_.push_back(hash);
  by_hash_.emplace(std::move(hash),
                   Entry{principal, created.expires_unix_ns, std::prev(order_.end())});
  return created;
}

StatusOr<SessionStore::Session> SessionStore::Lookup(std::string_view token,
                                                     const KeyCheck& check) {
  if (token.empty()) return Unauthenticated("no session");
  const std::string hash = HashToken(token);
  Session session;
  {
    std::lock_guard lock(mu_);
    auto it = by_hash_.find(hash);
    if (it == by_hash_.end()) return Unauthenticated("unknown or expired session; sign in again");
    if (it->second.expires_unix_ns <= Now()) {
      EraseLocked(it);
      return Unauthenticated("unknown or expired session; sign in again");
    }
    session = Session{it->second.principal, it->second.expires_unix_ns};
  }
  // The check runs outside the lock: it may reload the key file.
  StatusOr<Principal> now = check(session.principal.key_id);
  if (!now.ok()) {
    if (now.status().code() == StatusCode::kUnauthenticated) {
      std::lock_guard lock(mu_);
      if (auto it = by_hash_.find(hash); it != by_hash_.end()) EraseLocked(it);
      return Unauthenticated("the session's API key was revoked; sign in again");
    }
    return now.status();
  }
  session.principal = std::move(now).value();
  return session;
}

bool SessionStore::Delete(std::string_view token) {
  if (token.empty()) return false;
  const std::string hash = HashToken(token);
  std::lock_guard lock(mu_);
  auto it = by_hash_.find(hash);
  if (it == by_hash_.end()) return false;
  EraseLocked(it);
  return true;
}

size_t SessionStore::size() {
  std::lock_guard lock(mu_);
  return by_hash_.size();
}

}  // namespace tokenscope::auth
