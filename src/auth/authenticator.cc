#include "auth/authenticator.h"

#include <spdlog/spdlog.h>

#include <filesystem>

#include "auth/key_file.h"
#include "base/base64.h"

namespace tokenscope::auth {
namespace {

namespace fs = std::filesystem;

// Modification time and size of the key file, "" when it does not exist: a changed stamp
// means the file was replaced.
std::string FileStamp(const std::string& path) {
  std::error_code ec;
  const auto mtime = fs::last_write_time(path, ec);
  if (ec) return "";
  const auto size = fs::file_size(path, ec);
  return std::to_string(mtime.time_since_epoch().count()) + "/" + std::to_string(ec ? 0 : size);
}

int64_t SteadyNowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

bool StartsWithIgnoringCase(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(s[i])) != prefix[i]) return false;
  }
  return true;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// The secret a request presents, and the public id it claims (Basic only).
struct Claimed {
  std::string secret;
  std::string public_id;
};

StatusOr<Claimed> ParseCredentials(const PresentedCredentials& presented) {
  Claimed claimed;
  const std::string_view authorization = Trim(presented.authorization);
  if (StartsWithIgnoringCase(authorization, "bearer ")) {
    claimed.secret = std::string(Trim(authorization.substr(7)));
  } else if (StartsWithIgnoringCase(authorization, "basic ")) {
    auto decoded = Base64Decode(Trim(authorization.substr(6)));
    if (!decoded) return Unauthenticated("malformed Basic credentials");
    const size_t colon = decoded->find(':');
    if (colon == std::string::npos) return Unauthenticated("malformed Basic credentials");
    claimed.public_id = decoded->substr(0, colon);
    claimed.secret = decoded->substr(colon + 1);
  } else if (!authorization.empty()) {
    return Unauthenticated("unsupported Authorization scheme; use Bearer or Basic");
  } else {
    claimed.secret = std::string(Trim(presented.api_key));
  }
  if (claimed.secret.empty()) {
    return Unauthenticated(
        "an API key is required: send Authorization: Bearer <secret key>, Basic "
        "<public key>:<secret key>, or x-api-key: <secret key>");
  }
  return claimed;
}

}  // namespace

Authenticator::Authenticator(std::string key_file, std::string local_project)
    : key_file_(std::move(key_file)),
      local_project_(std::move(local_project)),
      snapshot_(std::make_shared<Snapshot>()) {}

Status Authenticator::Load() {
  std::lock_guard lock(mu_);
  return Reload();
}

Status Authenticator::Reload() {
  const std::string stamp = FileStamp(key_file_);
  TS_ASSIGN_OR_RETURN(std::vector<ApiKey> keys, LoadKeyFile(key_file_));
  auto snapshot = std::make_shared<Snapshot>();
  for (ApiKey& key : keys) {
    if (!key.active()) continue;
    snapshot->secret_hash_by_id.emplace(key.id, key.secret_sha256);
    snapshot->by_secret_hash.emplace(key.secret_sha256, std::move(key));
  }
  snapshot_ = std::move(snapshot);
  file_stamp_ = stamp;
  next_check_ns_.store(SteadyNowNs() + std::chrono::nanoseconds(kCheckInterval).count());
  return Status::Ok();
}

std::shared_ptr<const Authenticator::Snapshot> Authenticator::Current() {
  const int64_t now = SteadyNowNs();
  std::lock_guard lock(mu_);
  if (now >= next_check_ns_.load()) {
    next_check_ns_.store(now + std::chrono::nanoseconds(kCheckInterval).count());
    if (const std::string stamp = FileStamp(key_file_); stamp != file_stamp_) {
      if (Status s = Reload(); !s.ok()) {
        file_stamp_ = stamp;  // said once, not every second until the file is fixed
        spdlog::error("auth: keeping the previous keys: {}", s.ToString());
      } else {
        spdlog::info("auth: key file reloaded, {} active keys", snapshot_->by_secret_hash.size());
      }
    }
  }
  return snapshot_;
}

StatusOr<Principal> Authenticator::Authenticate(const PresentedCredentials& credentials,
                                                Access access) {
  std::shared_ptr<const Snapshot> snapshot = Current();
  if (snapshot->by_secret_hash.empty()) {
    return Principal{local_project_, KeyScope::kReadWrite, ""};
  }
  TS_ASSIGN_OR_RETURN(Claimed claimed, ParseCredentials(credentials));
  auto it = snapshot->by_secret_hash.find(HashSecret(claimed.secret));
  if (it == snapshot->by_secret_hash.end()) {
    return Unauthenticated("unknown or revoked API key");
  }
  const ApiKey& key = it->second;
  if (!claimed.public_id.empty() && !ConstantTimeEquals(claimed.public_id, key.id)) {
    return Unauthenticated("the public key does not match the secret key");
  }
  if (access == Access::kWrite && key.scope != KeyScope::kReadWrite) {
    return PermissionDenied("API key " + key.id + " is read-only");
  }
  return Principal{key.project, key.scope, key.id};
}

StatusOr<Principal> Authenticator::AuthenticateKeyId(const std::string& key_id, Access access) {
  std::shared_ptr<const Snapshot> snapshot = Current();
  if (snapshot->by_secret_hash.empty()) {
    return Principal{local_project_, KeyScope::kReadWrite, ""};
  }
  auto id = snapshot->secret_hash_by_id.find(key_id);
  if (id == snapshot->secret_hash_by_id.end()) return Unauthenticated("unknown or revoked API key");
  auto it = snapshot->by_secret_hash.find(id->second);
  if (it == snapshot->by_secret_hash.end()) return Unauthenticated("unknown or revoked API key");
  const ApiKey& key = it->second;
  if (access == Access::kWrite && key.scope != KeyScope::kReadWrite) {
    return PermissionDenied("API key " + key.id + " is read-only");
  }
  return Principal{key.project, key.scope, key.id};
}

bool Authenticator::local_mode() {
  return Current()->by_secret_hash.empty();
}

size_t Authenticator::active_keys() {
  return Current()->by_secret_hash.size();
}

}  // namespace tokenscope::auth
