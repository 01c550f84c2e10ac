#include "cli/keys_command.h"

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <ctime>

#include "auth/key_file.h"
#include "cli/traces_command.h"

namespace tokenscope::cli {
namespace {

std::string FormatUnix(int64_t unix_seconds) {
  if (unix_seconds == 0) return "-";
  std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  return fmt::format("{:%Y-%m-%d %H:%M:%SZ}", tm);
}

void WriteKeyJson(rapidjson::Writer<rapidjson::StringBuffer>& w, const auth::ApiKey& key) {
  w.Key("id");
  w.String(key.id);
  w.Key("project");
  w.String(key.project);
  w.Key("scope");
  w.String(std::string(auth::KeyScopeName(key.scope)));
  w.Key("description");
  w.String(key.description);
  w.Key("created_unix");
  w.Int64(key.created_unix);
  w.Key("revoked_unix");
  w.Int64(key.revoked_unix);
}

int Fail(std::ostream& err, const Status& status, int code) {
  err << "error: " << status.message() << '\n';
  return code;
}

int ExitCodeFor(const Status& status) {
  return status.code() == StatusCode::kInvalidArgument || status.code() == StatusCode::kNotFound
             ? kExitUsage
             : kExitServerError;
}

}  // namespace

int RunKeysCreate(const KeysOptions& options, const std::string& project, const std::string& scope,
                  const std::string& description, std::ostream& out, std::ostream& err) {
  std::optional<auth::KeyScope> parsed = auth::ParseKeyScope(scope);
  if (!parsed) {
    return Fail(err,
                InvalidArgument("--scope must be read-only or read-write, got '" + scope + "'"),
                kExitUsage);
  }
  auto created =
      auth::CreateKeyInFile(auth::KeyFilePath(options.data_dir), project, *parsed, description);
  if (!created.ok()) return Fail(err, created.status(), ExitCodeFor(created.status()));
  if (options.json) {
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
    w.StartObject();
    WriteKeyJson(w, created->key);
    w.Key("secret");
    w.String(created->secret);
    w.EndObject();
    out << buffer.GetString() << '\n';
    return kExitOk;
  }
  out << fmt::format(
      "created a {} key for project '{}'\n"
      "  public key: {}\n"
      "  secret key: {}\n"
      "The secret key is shown only now; Tokenscope keeps only its hash. Send it as\n"
      "Authorization: Bearer <secret key>, x-api-key: <secret key>, or HTTP Basic\n"
      "<public key>:<secret key>.\n",
      auth::KeyScopeName(created->key.scope), created->key.project, created->key.id,
      created->secret);
  return kExitOk;
}

int RunKeysList(const KeysOptions& options, const std::optional<std::string>& project,
                std::ostream& out, std::ostream& err) {
  auto keys = auth::LoadKeyFile(auth::KeyFilePath(options.data_dir));
  if (!keys.ok()) return Fail(err, keys.status(), kExitServerError);
  std::vector<auth::ApiKey> shown;
  for (const auto& key : *keys) {
    if (!project || key.project == *project) shown.push_back(key);
  }
  if (options.json) {
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
    w.StartObject();
    w.Key("keys");
    w.StartArray();
    for (const auto& key : shown) {
      w.StartObject();
      WriteKeyJson(w, key);
      w.EndObject();
    }
    w.EndArray();
    w.EndObject();
    out << buffer.GetString() << '\n';
    return kExitOk;
  }
  if (shown.empty()) {
    out << "no API keys" << (project ? " for project '" + *project + "'" : "")
        << ": the server runs in local mode when no key is active\n";
    return kExitOk;
  }
  out << fmt::format("{:<23} {:<20} {:<10} {:<20} {:<20} {}\n", "ID", "PROJECT", "SCOPE", "CREATED",
                     "REVOKED", "DESCRIPTION");
  for (const auto& key : shown) {
    out << fmt::format("{:<23} {:<20} {:<10} {:<20} {:<20} {}\n", key.id, key.project,
                       key.scope == auth::KeyScope::kReadWrite ? "rw" : "ro",
                       FormatUnix(key.created_unix), FormatUnix(key.revoked_unix), key.description);
  }
  return kExitOk;
}

int RunKeysRevoke(const KeysOptions& options, const std::string& id, std::ostream& out,
                  std::ostream& err) {
  auto revoked = auth::RevokeKeyInFile(auth::KeyFilePath(options.data_dir), id);
  if (!revoked.ok()) return Fail(err, revoked.status(), ExitCodeFor(revoked.status()));
  out << fmt::format("revoked {} (project '{}'); requests with it are refused from now on\n",
                     revoked->id, revoked->project);
  return kExitOk;
}

}  // namespace tokenscope::cli
