// SessionsApi: GET /api/v1/sessions (the conversations of a project: traces grouped by session
// id, newest activity first) and GET /api/v1/sessions/{session_id} (one session's traces,
// oldest first), docs/api.md. Parses and validates the parameters (400 naming the parameter),
// runs query::ListSessions / GetSession for the project it is given (the caller authenticated
// the request) and renders JSON. Holds a Store it does not own. Thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "server/http_types.h"
#include "server/url.h"
#include "store/store.h"

namespace tokenscope::server {

class SessionsApi {
 public:
  explicit SessionsApi(store::Store* store) : store_(store) {}

  HttpResponse ListSessions(const std::string& project, const HttpRequest& req,
                            const ParsedTarget& target);
  // `session_id` is the percent-decoded rest of the path.
  HttpResponse GetSession(const std::string& project, const HttpRequest& req,
                          const ParsedTarget& target, std::string_view session_id);

 private:
  store::Store* store_;
};

}  // namespace tokenscope::server
