// LogsApi: GET /api/v1/logs — log search (docs/api.md): parses and validates the parameters
// (400 naming the parameter), runs query::SearchLogs and renders the records. Holds a Store it
// does not own. Thread-safe.
#pragma once

#include <string>

#include "server/http_types.h"
#include "server/url.h"
#include "store/store.h"

namespace tokenscope::server {

class LogsApi {
 public:
  explicit LogsApi(store::Store* store) : store_(store) {}

  // Searches the log records of `project` (the caller authenticated the request).
  HttpResponse SearchLogs(const std::string& project, const HttpRequest& req,
                          const ParsedTarget& target);

 private:
  store::Store* store_;
};

}  // namespace tokenscope::server
