// AuthApi: how an HTTP request proves which project it belongs to, and the web UI's sign-in
// endpoints (docs/api.md, "Authentication and projects").
//
// A request authenticates with an API key in a header (Authorization: Bearer / Basic, or
// x-api-key) or, for the query and admin API only (never OTLP ingest), with the session cookie
// `tokenscope_session` that `POST /api/v1/auth/login` sets for the web UI. The cookie counts only
// when no key header is present. It is HttpOnly, SameSite=Strict, Path=/ (and Secure over TLS);
// a cookie-authenticated request that is not a GET or HEAD must also carry
// `X-Tokenscope-CSRF: 1`, which a cross-site form cannot send, or gets 403.
//
//   POST /api/v1/auth/login    {"key": secret} or {"public_key", "secret_key"}, optional
//                              "remember": true (30 days instead of 12 hours; fixed, not sliding)
//   POST /api/v1/auth/logout   deletes the session, expires the cookie
//   GET  /api/v1/auth/session  200 with the project and access, or 401
//
// Thread-safe: the session store and the Authenticator are.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "auth/authenticator.h"
#include "auth/session_store.h"
#include "base/status.h"
#include "server/http_types.h"

namespace tokenscope::server {

inline constexpr std::string_view kSessionCookie = "tokenscope_session";
inline constexpr std::chrono::hours kSessionTtl{12};
inline constexpr std::chrono::hours kRememberedSessionTtl{24 * 30};

class AuthApi {
 public:
  // `secure_cookies`: add `Secure` to the cookie (the server speaks TLS).
  AuthApi(auth::Authenticator* auth, bool secure_cookies, size_t max_sessions = 10000);

  // The principal of a request: its key header, else (when `allow_cookie`) its session cookie.
  // Unauthenticated, or PermissionDenied (read-only key writing, or a cookie-authenticated
  // request other than GET/HEAD without the CSRF header).
  StatusOr<auth::Principal> Authenticate(const HttpRequest& req, auth::Access access,
                                         bool allow_cookie);

  // /api/v1/auth/login, /logout and /session.
  HttpResponse Handle(const HttpRequest& req, const std::string& path);

  // True when a 401 must not carry WWW-Authenticate: the request came from the web UI (it sent
  // the session cookie or `X-Requested-With: tokenscope-ui`), so the browser shows no dialog.
  static bool SuppressChallenge(const HttpRequest& req);

 private:
  struct Resolved {
    auth::Principal principal;
    int64_t expires_unix_ns = 0;  // 0 unless from a session
  };
  StatusOr<Resolved> Resolve(const HttpRequest& req, auth::Access access, bool allow_cookie);
  HttpResponse Login(const HttpRequest& req);
  HttpResponse Logout(const HttpRequest& req);
  HttpResponse Session(const HttpRequest& req);
  HttpResponse Error(const HttpRequest& req, const Status& why) const;
  std::string Cookie(std::string_view value, int64_t max_age_seconds) const;

  auth::Authenticator* auth_;
  const bool secure_cookies_;
  auth::SessionStore sessions_;
};

}  // namespace tokenscope::server
