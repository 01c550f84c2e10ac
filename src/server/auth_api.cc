#include "server/auth_api.h"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "base/base64.h"

namespace tokenscope::server {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool EqualsIgnoringCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

// The session token from the Cookie header(s), "" when absent.
std::string SessionToken(const HttpRequest& req) {
  auto range = req.equal_range(http::field::cookie);
  for (auto it = range.first; it != range.second; ++it) {
    std::string_view rest(it->value().data(), it->value().size());
    while (!rest.empty()) {
      const size_t semi = rest.find(';');
      std::string_view pair = Trim(rest.substr(0, semi));
      rest = semi == std::string_view::npos ? std::string_view() : rest.substr(semi + 1);
      const size_t eq = pair.find('=');
      if (eq == std::string_view::npos || Trim(pair.substr(0, eq)) != kSessionCookie) continue;
      std::string_view value = Trim(pair.substr(eq + 1));
      if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
        value = value.substr(1, value.size() - 2);
      }
      if (!value.empty()) return std::string(value);
    }
  }
  return "";
}

auth::PresentedCredentials HeaderCredentials(const HttpRequest& req) {
  return {std::string(req[http::field::authorization]), std::string(req["x-api-key"])};
}

bool HasKeyHeader(const HttpRequest& req) {
  return !Trim(req[http::field::authorization]).empty() || !Trim(req["x-api-key"]).empty();
}

bool IsSafeMethod(const HttpRequest& req) {
  return req.method() == http::verb::get || req.method() == http::verb::head;
}

std::string_view AccessName(auth::KeyScope scope) {
  return scope == auth::KeyScope::kReadWrite ? "read_write" : "read";
}

HttpResponse MethodNotAllowed(const HttpRequest& req, std::string_view allowed) {
  HttpResponse res = MakeJsonError(req, http::status::method_not_allowed, "method_not_allowed",
                                   "use " + std::string(allowed));
  res.set(http::field::allow, allowed);
  return res;
}

}  // namespace

AuthApi::AuthApi(auth::Authenticator* auth, bool secure_cookies, size_t max_sessions)
    : auth_(auth),
      secure_cookies_(secure_cookies),
      sessions_(auth::SessionStoreOptions{
          std::chrono::duration_cast<std::chrono::seconds>(kSessionTtl), max_sessions, {}}) {}

bool AuthApi::SuppressChallenge(const HttpRequest& req) {
  return !SessionToken(req).empty() ||
         EqualsIgnoringCase(Trim(req["x-requested-with"]), "tokenscope-ui");
}

StatusOr<AuthApi::Resolved> AuthApi::Resolve(const HttpRequest& req, auth::Access access,
                                             bool allow_cookie) {
  if (!allow_cookie || HasKeyHeader(req) || auth_->local_mode()) {
    TS_ASSIGN_OR_RETURN(auth::Principal principal,
                        auth_->Authenticate(HeaderCredentials(req), access));
    return Resolved{std::move(principal), 0};
  }
  const std::string token = SessionToken(req);
  if (token.empty()) {
    // No key and no session: the Authenticator's own message says what to send.
    TS_ASSIGN_OR_RETURN(auth::Principal principal, auth_->Authenticate({}, access));
    return Resolved{std::move(principal), 0};
  }
  TS_ASSIGN_OR_RETURN(auth::SessionStore::Session session,
                      sessions_.Lookup(token, [&](const std::string& key_id) {
                        return auth_->AuthenticateKeyId(key_id, access);
                      }));
  if (!IsSafeMethod(req) && Trim(req["x-tokenscope-csrf"]) != "1") {
    return PermissionDenied(
        "a request signed in with the session cookie must send the header X-Tokenscope-CSRF: 1");
  }
  return Resolved{std::move(session.principal), session.expires_unix_ns};
}

StatusOr<auth::Principal> AuthApi::Authenticate(const HttpRequest& req, auth::Access access,
                                                bool allow_cookie) {
  TS_ASSIGN_OR_RETURN(Resolved resolved, Resolve(req, access, allow_cookie));
  return std::move(resolved.principal);
}

HttpResponse AuthApi::Handle(const HttpRequest& req, const std::string& path) {
  if (path == "/api/v1/auth/login") return Login(req);
  if (path == "/api/v1/auth/logout") return Logout(req);
  if (path == "/api/v1/auth/session") return Session(req);
  return MakeJsonError(req, http::status::not_found, "not_found", "no such endpoint: " + path);
}

HttpResponse AuthApi::Error(const HttpRequest& req, const Status& why) const {
  const bool unauthenticated = why.code() == StatusCode::kUnauthenticated;
  HttpResponse res =
      MakeJsonError(req, unauthenticated ? http::status::unauthorized : http::status::forbidden,
                    unauthenticated ? "unauthenticated" : "permission_denied", why.message());
  if (unauthenticated && !SuppressChallenge(req)) {
    res.set(http::field::www_authenticate, R"(Bearer, Basic realm="tokenscope")");
  }
  return res;
}

std::string AuthApi::Cookie(std::string_view value, int64_t max_age_seconds) const {
  std::string cookie =
      std::string(kSessionCookie) + "=" + std::string(value) +
      "; Path=/; HttpOnly; SameSite=Strict; Max-Age=" + std::to_string(max_age_seconds);
  if (secure_cookies_) cookie += "; Secure";
  return cookie;
}

namespace {

// {"project", "access", "local", "expires_unix_nano"?}
std::string PrincipalJson(const auth::Principal& principal, bool local, int64_t expires_unix_ns) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  w.StartObject();
  w.Key("project");
  w.String(principal.project.data(), static_cast<rapidjson::SizeType>(principal.project.size()));
  w.Key("access");
  const std::string_view access = AccessName(principal.scope);
  w.String(access.data(), static_cast<rapidjson::SizeType>(access.size()));
  w.Key("local");
  w.Bool(local);
  if (expires_unix_ns > 0) {
    const std::string expires = std::to_string(expires_unix_ns);
    w.Key("expires_unix_nano");
    w.String(expires.data(), static_cast<rapidjson::SizeType>(expires.size()));
  }
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize());
}

}  // namespace

HttpResponse AuthApi::Login(const HttpRequest& req) {
  if (req.method() != http::verb::post) return MethodNotAllowed(req, "POST");
  // A JSON body only: a cross-site HTML form cannot send application/json.
  std::string_view content_type = req[http::field::content_type];
  content_type = Trim(content_type.substr(0, content_type.find(';')));
  if (!EqualsIgnoringCase(content_type, "application/json")) {
    return MakeJsonError(req, http::status::unsupported_media_type, "unsupported_media_type",
                         "send the key as application/json: {\"key\": \"<secret key>\"}");
  }
  rapidjson::Document body;
  body.Parse(req.body().data(), req.body().size());
  if (body.HasParseError() || !body.IsObject()) {
    return MakeJsonError(req, http::status::bad_request, "invalid_argument",
                         "the body must be a JSON object: {\"key\": \"<secret key>\"}");
  }
  // Read through a const view: comparing non-const rapidjson member iterators is ambiguous in
  // C++20 (clang rejects it).
  const rapidjson::Document& fields = body;
  auto text = [&](const char* name) -> std::optional<std::string> {
    auto it = fields.FindMember(name);
    if (it == fields.MemberEnd() || it->value.IsNull()) return std::string();
    if (!it->value.IsString()) return std::nullopt;
    return std::string(it->value.GetString(), it->value.GetStringLength());
  };
  const auto key = text("key");
  const auto public_key = text("public_key");
  const auto secret_key = text("secret_key");
  bool remember = false;
  if (auto it = fields.FindMember("remember"); it != fields.MemberEnd() && !it->value.IsNull()) {
    if (!it->value.IsBool()) {
      return MakeJsonError(req, http::status::bad_request, "invalid_argument",
                           "\"remember\" must be true or false");
    }
    remember = it->value.GetBool();
  }
  if (!key || !public_key || !secret_key) {
    return MakeJsonError(req, http::status::bad_request, "invalid_argument",
                         "\"key\", \"public_key\" and \"secret_key\" must be strings");
  }
  // The same checks as the headers: Bearer <key>, or Basic <public_key>:<secret_key>.
  auth::PresentedCredentials credentials;
  const std::string secret = !key->empty() ? *key : *secret_key;
  if (!public_key->empty() && !secret.empty()) {
    credentials.authorization = "Basic " + Base64Encode(*public_key + ":" + secret);
  } else if (!secret.empty()) {
    credentials.authorization = "Bearer " + secret;
  }
  const bool local = auth_->local_mode();
  auto principal = auth_->Authenticate(credentials, auth::Access::kRead);
  if (!principal.ok()) return Error(req, principal.status());
  if (local || principal->key_id.empty()) {
    return MakeResponse(req, http::status::ok, PrincipalJson(*principal, true, 0),
                        "application/json");
  }
  const std::chrono::seconds ttl = std::chrono::duration_cast<std::chrono::seconds>(
      remember ? kRememberedSessionTtl : kSessionTtl);
  auto created = sessions_.Create(*principal, ttl);
  if (!created.ok()) {
    return MakeJsonError(req, http::status::internal_server_error, "internal",
                         created.status().message());
  }
  // A session the browser already had is replaced.
  if (const std::string old = SessionToken(req); !old.empty()) sessions_.Delete(old);
  HttpResponse res =
      MakeResponse(req, http::status::ok,
                   PrincipalJson(*principal, false, created->expires_unix_ns), "application/json");
  res.set(http::field::set_cookie, Cookie(created->token, ttl.count()));
  res.set(http::field::cache_control, "no-store");
  return res;
}

HttpResponse AuthApi::Logout(const HttpRequest& req) {
  if (req.method() != http::verb::post) return MethodNotAllowed(req, "POST");
  const std::string token = SessionToken(req);
  if (!token.empty() && Trim(req["x-tokenscope-csrf"]) != "1") {
    return Error(req, PermissionDenied("signing out with the session cookie needs the header "
                                       "X-Tokenscope-CSRF: 1"));
  }
  const bool existed = sessions_.Delete(token);
  HttpResponse res = MakeResponse(req, http::status::ok,
                                  existed ? R"({"signed_out":true})" : R"({"signed_out":false})",
                                  "application/json");
  res.set(http::field::set_cookie, Cookie("", 0));
  res.set(http::field::cache_control, "no-store");
  return res;
}

HttpResponse AuthApi::Session(const HttpRequest& req) {
  if (!IsSafeMethod(req)) return MethodNotAllowed(req, "GET");
  const bool local = auth_->local_mode();
  auto resolved = Resolve(req, auth::Access::kRead, /*allow_cookie=*/true);
  if (!resolved.ok()) return Error(req, resolved.status());
  HttpResponse res = MakeResponse(
      req, http::status::ok, PrincipalJson(resolved->principal, local, resolved->expires_unix_ns),
      "application/json");
  res.set(http::field::cache_control, "no-store");
  return res;
}

}  // namespace tokenscope::server
