#include "server/http_types.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace tokenscope::server {

HttpResponse MakeResponse(const HttpRequest& req, http::status status, std::string body,
                          std::string_view content_type) {
  HttpResponse res{status, req.version()};
  res.set(http::field::server, "tokenscope");
  res.set(http::field::content_type, content_type);
  res.keep_alive(req.keep_alive());
  res.body() = std::move(body);
  res.prepare_payload();
  return res;
}

HttpResponse MakeJsonError(const HttpRequest& req, http::status status, std::string_view code,
                           std::string_view message) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  w.StartObject();
  w.Key("error");
  w.StartObject();
  w.Key("code");
  w.String(code.data(), static_cast<rapidjson::SizeType>(code.size()));
  w.Key("message");
  w.String(message.data(), static_cast<rapidjson::SizeType>(message.size()));
  w.EndObject();
  w.EndObject();
  return MakeResponse(req, status, std::string(buf.GetString(), buf.GetSize()), "application/json");
}

}  // namespace tokenscope::server
