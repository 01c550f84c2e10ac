#include "auth/key_file.h"

#include <fcntl.h>
#include <rapidjson/document.h>
#include <rapidjson/error/en.h>
#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace tokenscope::auth {
namespace {

namespace fs = std::filesystem;
constexpr int kFileVersion = 1;

int64_t NowUnix() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string ErrnoText() {
  return std::strerror(errno);
}

// Holds an exclusive flock on <path>.lock for its lifetime.
class FileLock {
 public:
  static StatusOr<std::unique_ptr<FileLock>> Acquire(const std::string& path) {
    std::error_code ec;
    fs::create_directories(fs::path(path).parent_path(), ec);
    const std::string lock_path = path + ".lock";
    int fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) return Unavailable("cannot open " + lock_path + ": " + ErrnoText());
    if (::flock(fd, LOCK_EX) != 0) {
      ::close(fd);
      return Unavailable("cannot lock " + lock_path + ": " + ErrnoText());
    }
    return std::unique_ptr<FileLock>(new FileLock(fd));
  }
  ~FileLock() {
    ::flock(fd_, LOCK_UN);
    ::close(fd_);
  }

 private:
  explicit FileLock(int fd) : fd_(fd) {}
  int fd_;
};

Status Malformed(const std::string& path, const std::string& why) {
  return DataLoss("key file " + path + " is malformed: " + why);
}

StatusOr<ApiKey> ParseKey(const rapidjson::Value& v, const std::string& path) {
  auto str = [&](const char* name, std::string* out) -> Status {
    auto it = v.FindMember(name);
    if (it == v.MemberEnd() || !it->value.IsString()) {
      return Malformed(path, std::string("a key lacks the string '") + name + "'");
    }
    out->assign(it->value.GetString(), it->value.GetStringLength());
    return Status::Ok();
  };
  auto num = [&](const char* name, int64_t* out) -> Status {
    auto it = v.FindMember(name);
    if (it == v.MemberEnd() || !it->value.IsInt64()) {
      return Malformed(path, std::string("a key lacks the integer '") + name + "'");
    }
    *out = it->value.GetInt64();
    return Status::Ok();
  };
  if (!v.IsObject()) return Malformed(path, "a key is not an object");
  ApiKey key;
  std::string scope;
  TS_RETURN_IF_ERROR(str("id", &key.id));
  TS_RETURN_IF_ERROR(str("project", &key.project));
  TS_RETURN_IF_ERROR(str("scope", &scope));
  TS_RETURN_IF_ERROR(str("secret_sha256", &key.secret_sha256));
  TS_RETURN_IF_ERROR(num("created_unix", &key.created_unix));
  TS_RETURN_IF_ERROR(num("revoked_unix", &key.revoked_unix));
  if (v.HasMember("description")) TS_RETURN_IF_ERROR(str("description", &key.description));
  auto parsed = ParseKeyScope(scope);
  if (!parsed) return Malformed(path, "unknown scope '" + scope + "'");
  key.scope = *parsed;
  if (key.secret_sha256.size() != 64) return Malformed(path, "a secret hash is not SHA-256");
  return key;
}

std::string Serialize(const std::vector<ApiKey>& keys) {
  rapidjson::StringBuffer buffer;
  rapidjson::PrettyWriter<rapidjson::StringBuffer> w(buffer);
  w.StartObject();
  w.Key("version");
  w.Int(kFileVersion);
  w.Key("keys");
  w.StartArray();
  for (const ApiKey& k : keys) {
    w.StartObject();
    w.Key("id");
    w.String(k.id);
    w.Key("project");
    w.String(k.project);
    w.Key("scope");
    w.String(std::string(KeyScopeName(k.scope)));
    w.Key("secret_sha256");
    w.String(k.secret_sha256);
    w.Key("created_unix");
    w.Int64(k.created_unix);
    w.Key("revoked_unix");
    w.Int64(k.revoked_unix);
    w.Key("description");
    w.String(k.description);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize()) + "\n";
}

Status SyncPath(const std::string& path, int flags) {
  int fd = ::open(path.c_str(), flags | O_CLOEXEC);
  if (fd < 0) return Unavailable("cannot open " + path + ": " + ErrnoText());
  const int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) return Unavailable("cannot sync " + path + ": " + ErrnoText());
  return Status::Ok();
}

}  // namespace

std::string KeyFilePath(const std::string& data_dir) {
  return (fs::path(data_dir) / "keys.json").string();
}

StatusOr<std::vector<ApiKey>> LoadKeyFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::error_code ec;
    if (!fs::exists(path, ec)) return std::vector<ApiKey>();
    return Unavailable("cannot read key file " + path);
  }
  std::stringstream text;
  text << in.rdbuf();
  const std::string content = text.str();
  rapidjson::Document doc;
  doc.Parse(content.data(), content.size());
  if (doc.HasParseError()) {
    return Malformed(path, std::string(rapidjson::GetParseError_En(doc.GetParseError())) +
                               " at byte " + std::to_string(doc.GetErrorOffset()));
  }
  if (!doc.IsObject() || !doc.HasMember("version") || !doc["version"].IsInt()) {
    return Malformed(path, "no version");
  }
  if (doc["version"].GetInt() != kFileVersion) {
    return FailedPrecondition("key file " + path + " has version " +
                              std::to_string(doc["version"].GetInt()) + "; this build reads " +
                              std::to_string(kFileVersion));
  }
  if (!doc.HasMember("keys") || !doc["keys"].IsArray()) return Malformed(path, "no key list");
  std::vector<ApiKey> keys;
  for (const auto& v : doc["keys"].GetArray()) {
    TS_ASSIGN_OR_RETURN(ApiKey key, ParseKey(v, path));
    keys.push_back(std::move(key));
  }
  return keys;
}

Status SaveKeyFile(const std::string& path, const std::vector<ApiKey>& keys) {
  const fs::path target(path);
  std::error_code ec;
  fs::create_directories(target.parent_path(), ec);
  const std::string temp = path + ".tmp";
  {
    int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) return Unavailable("cannot write " + temp + ": " + ErrnoText());
    const std::string text = Serialize(keys);
    size_t written = 0;
    while (written < text.size()) {
      ssize_t n = ::write(fd, text.data() + written, text.size() - written);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        ::close(fd);
        return Unavailable("cannot write " + temp + ": " + ErrnoText());
      }
      written += static_cast<size_t>(n);
    }
    const bool synced = ::fsync(fd) == 0;
    ::close(fd);
    if (!synced) return Unavailable("cannot sync " + temp + ": " + ErrnoText());
  }
  if (::rename(temp.c_str(), path.c_str()) != 0) {
    return Unavailable("cannot replace " + path + ": " + ErrnoText());
  }
  const std::string dir = target.parent_path().empty() ? "." : target.parent_path().string();
  return SyncPath(dir, O_RDONLY | O_DIRECTORY);
}

StatusOr<NewKey> CreateKeyInFile(const std::string& path, const std::string& project,
                                 KeyScope scope, const std::string& description) {
  TS_ASSIGN_OR_RETURN(auto lock, FileLock::Acquire(path));
  TS_ASSIGN_OR_RETURN(std::vector<ApiKey> keys, LoadKeyFile(path));
  TS_ASSIGN_OR_RETURN(NewKey created, GenerateKey(project, scope, NowUnix()));
  created.key.description = description;
  keys.push_back(created.key);
  TS_RETURN_IF_ERROR(SaveKeyFile(path, keys));
  return created;
}

StatusOr<ApiKey> RevokeKeyInFile(const std::string& path, const std::string& id) {
  TS_ASSIGN_OR_RETURN(auto lock, FileLock::Acquire(path));
  TS_ASSIGN_OR_RETURN(std::vector<ApiKey> keys, LoadKeyFile(path));
  for (ApiKey& key : keys) {
    if (key.id != id) continue;
    if (key.active()) {
      key.revoked_unix = NowUnix();
      TS_RETURN_IF_ERROR(SaveKeyFile(path, keys));
    }
    return key;
  }
  return NotFound("no API key with id " + id + " in " + path);
}

}  // namespace tokenscope::auth
