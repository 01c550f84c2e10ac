#include "auth/api_key.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <array>

#include "base/hex.h"

namespace tokenscope::auth {
namespace {

constexpr std::string_view kBase62 =
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
constexpr size_t kSecretChars = 32;  // 32 * log2(62) ~ 190 bits
constexpr size_t kIdBytes = 8;

StatusOr<std::string> RandomBytes(size_t n) {
  std::string out(n, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n)) != 1) {
    return Internal("no randomness available for a new API key");
  }
  return out;
}

// Uniform base62 characters by rejection sampling (bytes >= 248 are redrawn).
StatusOr<std::string> RandomBase62(size_t n) {
  std::string out;
  while (out.size() < n) {
    TS_ASSIGN_OR_RETURN(std::string bytes, RandomBytes(n));
    for (unsigned char b : bytes) {
      if (b < 248 && out.size() < n) out.push_back(kBase62[b % 62]);
    }
  }
  return out;
}

}  // namespace

std::string_view KeyScopeName(KeyScope scope) {
  return scope == KeyScope::kReadWrite ? "read-write" : "read-only";
}

std::optional<KeyScope> ParseKeyScope(std::string_view name) {
  if (name == "read-only") return KeyScope::kReadOnly;
  if (name == "read-write") return KeyScope::kReadWrite;
  return std::nullopt;
}

Status ValidateProjectName(std::string_view project) {
  auto allowed = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
  };
  bool ok = !project.empty() && project.size() <= 64 && project[0] != '_' && project[0] != '-';
  for (char c : project) ok = ok && allowed(c);
  if (ok) return Status::Ok();
  return InvalidArgument(
      "project names are 1-64 characters of a-z, 0-9, '_' and '-', starting "
      "with a letter or digit; got '" +
      std::string(project) + "'");
}

StatusOr<NewKey> GenerateKey(std::string_view project, KeyScope scope, int64_t now_unix) {
  TS_RETURN_IF_ERROR(ValidateProjectName(project));
  TS_ASSIGN_OR_RETURN(std::string id_bytes, RandomBytes(kIdBytes));
  TS_ASSIGN_OR_RETURN(std::string secret_chars, RandomBase62(kSecretChars));
  NewKey out;
  out.secret = "sk-ts-" + secret_chars;
  out.key.id = "pk-ts-" + HexEncode(id_bytes);
  out.key.project = std::string(project);
  out.key.scope = scope;
  out.key.secret_sha256 = HashSecret(out.secret);
  out.key.created_unix = now_unix;
  return out;
}

std::string HashSecret(std::string_view secret) {
  std::array<unsigned char, 32> digest{};
  unsigned int length = 0;
  EVP_Digest(secret.data(), secret.size(), digest.data(), &length, EVP_sha256(), nullptr);
  return HexEncode(std::string_view(reinterpret_cast<const char*>(digest.data()), length));
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace tokenscope::auth
