#include "cli/config_loader.h"

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace tokenscope::cli {
namespace {

using server::ServerConfig;
using ::testing::HasSubstr;

EnvLookup FakeEnv(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](std::string_view name) -> std::optional<std::string> {
    auto it = vars.find(std::string(name));
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

// A config file in the test's temporary directory, removed afterwards.
class TempFile {
 public:
  explicit TempFile(const std::string& contents) {
    char name[] = "/tmp/tokenscope_config_test_XXXXXX";
    int fd = mkstemp(name);
    EXPECT_GE(fd, 0);
    close(fd);
    path_ = name;
    std::ofstream(path_) << contents;
  }
  ~TempFile() { std::remove(path_.c_str()); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

StatusOr<ServerConfig> Parse(std::string_view yaml) {
  return ParseServerConfigYaml(yaml, {});
}

TEST(ConfigLoaderTest, DefaultsWhenNothingIsGiven) {
  StatusOr<ServerConfig> config = LoadServerConfig({});
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  ServerConfig defaults;
  EXPECT_EQ(config->data_dir, defaults.data_dir);
  EXPECT_EQ(config->http_address, "127.0.0.1:4318");
  EXPECT_EQ(config->grpc_address, "127.0.0.1:4317");
  EXPECT_EQ(config->max_body_bytes, defaults.max_body_bytes);
  EXPECT_EQ(config->io_threads, defaults.io_threads);
  EXPECT_EQ(config->worker_threads, defaults.worker_threads);
  EXPECT_EQ(config->log_level, "info");
}

TEST(ConfigLoaderTest, YamlSetsEveryKey) {
  StatusOr<ServerConfig> config = Parse(R"(
data_dir: /var/lib/tokenscope
http:
  address: 0.0.0.0:8080
grpc:
  address: "[::1]:9090"
limits:
  max_body_bytes: 1048576
server:
  io_threads: 4
  worker_threads: 16
  insecure: true
tls:
  cert_file: /etc/tokenscope/cert.pem
  key_file: /etc/tokenscope/key.pem
log:
  level: DEBUG
)");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->data_dir, "/var/lib/tokenscope");
  EXPECT_EQ(config->http_address, "0.0.0.0:8080");
  EXPECT_EQ(config->grpc_address, "[::1]:9090");
  EXPECT_EQ(config->max_body_bytes, 1048576u);
  EXPECT_EQ(config->io_threads, 4);
  EXPECT_EQ(config->worker_threads, 16);
  EXPECT_TRUE(config->insecure);
  EXPECT_EQ(config->tls_cert_file, "/etc/tokenscope/cert.pem");
  EXPECT_EQ(config->tls_key_file, "/etc/tokenscope/key.pem");
  EXPECT_EQ(config->log_level, "debug");
}

TEST(ConfigLoaderTest, YamlKeepsBaseForKeysItDoesNotSet) {
  ServerConfig base;
  base.data_dir = "/base";
  base.io_threads = 3;
  StatusOr<ServerConfig> config = ParseServerConfigYaml("server:\n  worker_threads: 5\n", base);
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->data_dir, "/base");
  EXPECT_EQ(config->io_threads, 3);
  EXPECT_EQ(config->worker_threads, 5);
}

TEST(ConfigLoaderTest, EmptyAndCommentOnlyDocumentsChangeNothing) {
  for (std::string_view text : {"", "\n\n", "# only a comment\n", "---\n"}) {
    StatusOr<ServerConfig> config = Parse(text);
    ASSERT_TRUE(config.ok()) << text << ": " << config.status().ToString();
    EXPECT_EQ(config->http_address, ServerConfig().http_address);
  }
}

TEST(ConfigLoaderTest, NullValuesAndEmptySectionsCountAsUnset) {
  StatusOr<ServerConfig> config = Parse("data_dir:\nhttp:\nserver:\n  io_threads: ~\n");
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->data_dir, ServerConfig().data_dir);
  EXPECT_EQ(config->io_threads, ServerConfig().io_threads);
}

TEST(ConfigLoaderTest, UnknownTopLevelKeyIsNamed) {
  StatusOr<ServerConfig> config = Parse("data_dir: /x\nhtpp:\n  address: 1.2.3.4:5\n");
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(config.status().message(), HasSubstr("unknown config key \"htpp\""));
  EXPECT_THAT(config.status().message(), HasSubstr("line 2, column 1"));
  EXPECT_THAT(config.status().message(), HasSubstr("http"));  // lists the known keys
}

TEST(ConfigLoaderTest, UnknownNestedKeyIsNamedWithItsPath) {
  StatusOr<ServerConfig> config = Parse("http:\n  adress: 1.2.3.4:5\n");
  ASSERT_FALSE(config.ok());
  EXPECT_THAT(config.status().message(), HasSubstr("unknown config key \"http.adress\""));
  EXPECT_THAT(config.status().message(), HasSubstr("line 2, column 3"));
  EXPECT_THAT(config.status().message(), HasSubstr("address"));
}

TEST(ConfigLoaderTest, DottedKeysAreNotAShortcut) {
  StatusOr<ServerConfig> config = Parse("http.address: 1.2.3.4:5\n");
  ASSERT_FALSE(config.ok());
  EXPECT_THAT(config.status().message(), HasSubstr("unknown config key \"http.address\""));
}

TEST(ConfigLoaderTest, DuplicateKeysAreRejected) {
  StatusOr<ServerConfig> config = Parse("data_dir: /a\ndata_dir: /b\n");
  ASSERT_FALSE(config.ok());
  EXPECT_THAT(config.status().message(), HasSubstr("duplicate config key \"data_dir\""));
}

TEST(ConfigLoaderTest, WrongTypesNameKeyAndExpectedType) {
  struct Case {
    std::string_view yaml;
    std::string_view expected;
  };
  const Case cases[] = {
      {"server:\n  io_threads: eight\n",
       "server.io_threads: expected an integer between 1 and 1024, got \"eight\""},
      {"server:\n  io_threads: [1, 2]\n", "server.io_threads: expected an integer"},
      {"server:\n  io_threads: -1\n", "server.io_threads: expected an integer"},
      {"server:\n  io_threads: 2.5\n", "server.io_threads: expected an integer"},
      {"limits:\n  max_body_bytes: 64MB\n", "limits.max_body_bytes: expected an integer"},
      {"data_dir: {a: b}\n", "data_dir: expected a non-empty path, got a mapping"},
      {"http: 127.0.0.1:4318\n", "http: expected a mapping with keys address, got a scalar"},
      {"log:\n  level: loud\n", "log.level: expected one of trace, debug, info, warn, error"},
  };
  for (const Case& test : cases) {
    StatusOr<ServerConfig> config = Parse(test.yaml);
    ASSERT_FALSE(config.ok()) << test.yaml;
    EXPECT_EQ(config.status().code(), StatusCode::kInvalidArgument);
    EXPECT_THAT(config.status().message(), HasSubstr(test.expected)) << test.yaml;
  }
}

TEST(ConfigLoaderTest, OutOfRangeValuesAreRejected) {
  EXPECT_THAT(Parse("server:\n  worker_threads: 0\n").status().message(),
              HasSubstr("between 1 and 1024, got 0"));
  EXPECT_THAT(Parse("server:\n  worker_threads: 99999999999999999999\n").status().message(),
              HasSubstr("server.worker_threads: expected an integer between 1 and 1024, got "
                        "\"99999999999999999999\""));
  EXPECT_THAT(Parse("server:\n  worker_threads: 4294967297\n").status().message(),
              HasSubstr("got 4294967297"));
  EXPECT_THAT(Parse("limits:\n  max_body_bytes: 1023\n").status().message(),
              HasSubstr("at least 1024"));
  EXPECT_TRUE(Parse("limits:\n  max_body_bytes: 1024\n").ok());
}

TEST(ConfigLoaderTest, TopLevelMustBeAMapping) {
  StatusOr<ServerConfig> config = Parse("- a\n- b\n");
  ASSERT_FALSE(config.ok());
  EXPECT_THAT(config.status().message(), HasSubstr("must be a mapping"));
}

TEST(ConfigLoaderTest, MalformedYamlReportsLineAndColumn) {
  StatusOr<ServerConfig> config = Parse("http:\n  address: \"127.0.0.1:4318\n  x: [\n");
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(config.status().message(), HasSubstr("line "));
  EXPECT_THAT(config.status().message(), HasSubstr("column "));

  config = Parse("data_dir: /x\n  bad indent: [\n");
  ASSERT_FALSE(config.ok());
  EXPECT_THAT(config.status().message(), HasSubstr("line 2"));
}

TEST(ConfigLoaderTest, DeepNestingIsAnErrorNotACrash) {
  StatusOr<ServerConfig> config = Parse("data_dir: " + std::string(20'000, '['));
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().code(), StatusCode::kInvalidArgument);
  config = Parse("data_dir: *missing_anchor\n");
  ASSERT_FALSE(config.ok());
}

TEST(ConfigLoaderTest, ValidatesListenAddresses) {
  for (std::string_view good :
       {"127.0.0.1:0", "0.0.0.0:65535", "localhost:4318", "[::1]:4318", "[::]:80", "my-host:1"}) {
    EXPECT_TRUE(ValidateListenAddress(good).ok()) << good;
  }
  for (std::string_view bad :
       {"", "127.0.0.1", ":4318", "127.0.0.1:", "127.0.0.1:65536", "127.0.0.1:-1", "127.0.0.1:http",
        "::1:4318", "[::1:4318", "[]:4318", "host name:80", "127.0.0.1:4318 "}) {
    EXPECT_FALSE(ValidateListenAddress(bad).ok()) << bad;
  }
}

TEST(ConfigLoaderTest, BadAddressInYamlNamesTheKey) {
  StatusOr<ServerConfig> config = Parse("grpc:\n  address: 127.0.0.1:70000\n");
  ASSERT_FALSE(config.ok());
  EXPECT_THAT(config.status().message(), HasSubstr("line 2, column 12: grpc.address: port"));
}

TEST(ConfigLoaderTest, NormalizesLogLevels) {
  EXPECT_EQ(*NormalizeLogLevel("WARN"), "warn");
  EXPECT_EQ(*NormalizeLogLevel("trace"), "trace");
  EXPECT_FALSE(NormalizeLogLevel("warning").ok());
  EXPECT_FALSE(NormalizeLogLevel("").ok());
}

TEST(ConfigLoaderTest, ParsesStrictDecimals) {
  EXPECT_EQ(*ParseDecimalUint64("0"), 0u);
  EXPECT_EQ(*ParseDecimalUint64("18446744073709551615"), UINT64_MAX);
  for (std::string_view bad : {"", "-1", "+1", " 1", "1 ", "0x10", "1e3", "18446744073709551616"}) {
    EXPECT_FALSE(ParseDecimalUint64(bad).ok()) << bad;
  }
}

TEST(ConfigLoaderTest, EnvironmentOverridesFile) {
  TempFile file("http:\n  address: 10.0.0.1:1000\nserver:\n  io_threads: 3\n");
  ConfigSources sources;
  sources.config_file = file.path();
  sources.env = FakeEnv({{"TOKENSCOPE_HTTP", "10.0.0.2:2000"}});
  StatusOr<ServerConfig> config = LoadServerConfig(sources);
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->http_address, "10.0.0.2:2000");
  EXPECT_EQ(config->io_threads, 3);
}

TEST(ConfigLoaderTest, FlagsOverrideEnvironmentAndFile) {
  TempFile file("data_dir: /from-file\nserver:\n  io_threads: 3\n  worker_threads: 4\n");
  ConfigSources sources;
  sources.config_file = file.path();
  sources.env = FakeEnv({{"TOKENSCOPE_DATA", "/from-env"}, {"TOKENSCOPE_IO_THREADS", "5"}});
  sources.flags.data_dir = "/from-flag";
  StatusOr<ServerConfig> config = LoadServerConfig(sources);
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->data_dir, "/from-flag");  // flag > env > file
  EXPECT_EQ(config->io_threads, 5);           // env > file
  EXPECT_EQ(config->worker_threads, 4);       // file > default
  EXPECT_EQ(config->log_level, "info");       // default
}

TEST(ConfigLoaderTest, EveryEnvironmentVariableIsRead) {
  ConfigSources sources;
  sources.env = FakeEnv({{"TOKENSCOPE_DATA", "/d"},
                         {"TOKENSCOPE_HTTP", "1.1.1.1:1"},
                         {"TOKENSCOPE_GRPC", "2.2.2.2:2"},
                         {"TOKENSCOPE_MAX_BODY_BYTES", "2048"},
                         {"TOKENSCOPE_IO_THREADS", "7"},
                         {"TOKENSCOPE_WORKER_THREADS", "9"},
                         {"TOKENSCOPE_LOG_LEVEL", "error"},
                         {"TOKENSCOPE_INSECURE", "1"}});
  StatusOr<ServerConfig> config = LoadServerConfig(sources);
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_TRUE(config->insecure);
  EXPECT_EQ(config->data_dir, "/d");
  EXPECT_EQ(config->http_address, "1.1.1.1:1");
  EXPECT_EQ(config->grpc_address, "2.2.2.2:2");
  EXPECT_EQ(config->max_body_bytes, 2048u);
  EXPECT_EQ(config->io_threads, 7);
  EXPECT_EQ(config->worker_threads, 9);
  EXPECT_EQ(config->log_level, "error");
}

TEST(ConfigLoaderTest, EveryFlagIsApplied) {
  ConfigSources sources;
  TempFile cert("cert");
  TempFile key("key");
  // Field by field, so a new setting added to the struct cannot shift the others.
  ServerFlagOverrides& f = sources.flags;
  f.data_dir = "/d";
  f.http_address = "1.1.1.1:1";
  f.grpc_address = "2.2.2.2:2";
  f.max_body_bytes = 4096;
  f.max_inflight_bytes = 8192;
  f.io_threads = 2;
  f.worker_threads = 3;
  f.log_level = "trace";
  f.pricing_file = "/p.yaml";
  f.tls_cert_file = cert.path();
  f.tls_key_file = key.path();
  f.insecure = true;
  f.max_spans_per_request = 11;
  f.max_attributes = 12;
  f.max_attribute_value_bytes = 13;
  f.max_events_per_span = 14;
  f.max_links_per_span = 15;
  f.max_spans_per_trace = 16;
  f.min_free_disk_bytes = 17;
  f.retention_ttl_ns = "7d";
  f.retention_projects = "a=1h";
  f.retention_interval_ns = "5s";
  f.rollup_dimensions = "team=resource:team.name";
  f.rollup_max_values = "50";
  f.rollup_retention_ns = "90d";
  StatusOr<ServerConfig> config = LoadServerConfig(sources);
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->data_dir, "/d");
  EXPECT_EQ(config->http_address, "1.1.1.1:1");
  EXPECT_EQ(config->grpc_address, "2.2.2.2:2");
  EXPECT_EQ(config->max_body_bytes, 4096u);
  EXPECT_EQ(config->max_inflight_bytes, 8192u);
  EXPECT_EQ(config->io_threads, 2);
  EXPECT_EQ(config->worker_threads, 3);
  EXPECT_EQ(config->log_level, "trace");
  EXPECT_EQ(config->pricing_file, "/p.yaml");
  EXPECT_EQ(config->tls_cert_file, cert.path());
  EXPECT_EQ(config->tls_key_file, key.path());
  EXPECT_TRUE(config->insecure);
  EXPECT_EQ(config->max_spans_per_request, 11u);
  EXPECT_EQ(config->max_attributes, 12u);
  EXPECT_EQ(config->max_attribute_value_bytes, 13u);
  EXPECT_EQ(config->max_events_per_span, 14u);
  EXPECT_EQ(config->max_links_per_span, 15u);
  EXPECT_EQ(config->max_spans_per_trace, 16u);
  EXPECT_EQ(config->min_free_disk_bytes, 17u);
  EXPECT_EQ(config->retention_ttl_ns, 7 * 86400'000'000'000ULL);
  EXPECT_EQ(config->retention_projects, "a=1h");
  EXPECT_EQ(config->retention_interval_ns, 5'000'000'000ULL);
  EXPECT_EQ(config->rollup_dimensions, "team=resource:team.name");
  EXPECT_EQ(config->rollup_max_values_per_dimension, 50u);
  EXPECT_EQ(config->rollup_retention_ns, 90 * 86400'000'000'000ULL);
}

TEST(ConfigLoaderTest, BadRollupDimensionsAreRefusedWithTheirReason) {
  ConfigSources sources;
  sources.env = FakeEnv({{"TOKENSCOPE_ROLLUP_DIMENSIONS", "team=bag:x"}});
  StatusOr<ServerConfig> config = LoadServerConfig(sources);
  ASSERT_FALSE(config.ok());
  EXPECT_THAT(config.status().message(),
              HasSubstr("environment variable TOKENSCOPE_ROLLUP_DIMENSIONS: dimension \"team\": "
                        "unknown source \"bag\""));
}

TEST(ConfigLoaderTest, EmptyEnvironmentVariablesCountAsUnset) {
  ConfigSources sources;
  sources.env = FakeEnv({{"TOKENSCOPE_HTTP", ""}, {"TOKENSCOPE_CONFIG", ""}});
  StatusOr<ServerConfig> config = LoadServerConfig(sources);
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->http_address, ServerConfig().http_address);
}

TEST(ConfigLoaderTest, BadEnvironmentValueNamesTheVariable) {
  ConfigSources sources;
  sources.env = FakeEnv({{"TOKENSCOPE_WORKER_THREADS", "many"}});
  StatusOr<ServerConfig> config = LoadServerConfig(sources);
  ASSERT_FALSE(config.ok());
  EXPECT_THAT(config.status().message(),
              HasSubstr("environment variable TOKENSCOPE_WORKER_THREADS: expected an integer"));
}

TEST(ConfigLoaderTest, BadFlagValueNamesTheFlag) {
  ConfigSources sources;
  sources.flags.io_threads = 0;
  EXPECT_THAT(LoadServerConfig(sources).status().message(),
              HasSubstr("flag --io-threads: expected an integer between 1 and 1024"));
  sources.flags = {};
  sources.flags.http_address = "localhost";
  EXPECT_THAT(LoadServerConfig(sources).status().message(), HasSubstr("flag --http: expected"));
  sources.flags = {};
  sources.flags.io_threads = -3;
  EXPECT_THAT(LoadServerConfig(sources).status().message(), HasSubstr("flag --io-threads"));
}

TEST(ConfigLoaderTest, ConfigFileComesFromEnvironmentWhenNoFlag) {
  TempFile file("log:\n  level: warn\n");
  ConfigSources sources;
  sources.env = FakeEnv({{"TOKENSCOPE_CONFIG", file.path()}});
  StatusOr<ServerConfig> config = LoadServerConfig(sources);
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->log_level, "warn");
}

TEST(ConfigLoaderTest, ConfigFlagBeatsConfigEnvironmentVariable) {
  TempFile from_flag("log:\n  level: error\n");
  ConfigSources sources;
  sources.config_file = from_flag.path();
  sources.env = FakeEnv({{"TOKENSCOPE_CONFIG", "/nonexistent/tokenscope.yaml"}});
  StatusOr<ServerConfig> config = LoadServerConfig(sources);
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->log_level, "error");
}

TEST(ConfigLoaderTest, FileErrorsNameTheFile) {
  ConfigSources sources;
  sources.config_file = "/nonexistent/tokenscope.yaml";
  StatusOr<ServerConfig> config = LoadServerConfig(sources);
  ASSERT_FALSE(config.ok());
  EXPECT_THAT(config.status().message(),
              HasSubstr("cannot open config file /nonexistent/tokenscope.yaml"));

  TempFile file("server:\n  io_threads: x\n");
  sources.config_file = file.path();
  config = LoadServerConfig(sources);
  ASSERT_FALSE(config.ok());
  EXPECT_THAT(config.status().message(),
              HasSubstr("config file " + file.path() + ": line 2, column 15: server.io_threads"));
}

TEST(ConfigLoaderTest, EmptyConfigFileIsFine) {
  TempFile file("");
  ConfigSources sources;
  sources.config_file = file.path();
  StatusOr<ServerConfig> config = LoadServerConfig(sources);
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->io_threads, ServerConfig().io_threads);
}

TEST(ConfigLoaderTest, DirectoryAsConfigFileIsAnError) {
  ConfigSources sources;
  sources.config_file = "/tmp";
  EXPECT_FALSE(LoadServerConfig(sources).ok());
}

TEST(ConfigLoaderTest, DocsCoverEverySettingWithHelpText) {
  EXPECT_EQ(ServerSettingDocs().size(), 26u);
  for (const SettingDoc& doc : ServerSettingDocs()) {
    EXPECT_EQ(FindSettingByFlag(doc.flag), &doc);
    std::string help = SettingHelpText(doc);
    EXPECT_THAT(help, HasSubstr(std::string(doc.env_var)));
    EXPECT_THAT(help, HasSubstr(std::string(doc.config_key)));
    EXPECT_THAT(help, HasSubstr("default: "));
  }
  EXPECT_THAT(SettingHelpText(*FindSettingByFlag("--http")), HasSubstr("default: 127.0.0.1:4318"));
  EXPECT_THAT(SettingHelpText(*FindSettingByFlag("--insecure")), HasSubstr("default: false"));
  EXPECT_EQ(FindSettingByFlag("--nope"), nullptr);
}

TEST(ConfigLoaderTest, ExampleConfigFileLoads) {
  ConfigSources sources;
  sources.config_file = std::string(TOKENSCOPE_SOURCE_DIR) + "/deploy/tokenscope.example.yaml";
  StatusOr<ServerConfig> config = LoadServerConfig(sources);
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  // The example spells out the defaults.
  ServerConfig defaults;
  EXPECT_EQ(config->data_dir, defaults.data_dir);
  EXPECT_EQ(config->http_address, defaults.http_address);
  EXPECT_EQ(config->grpc_address, defaults.grpc_address);
  EXPECT_EQ(config->max_body_bytes, defaults.max_body_bytes);
  EXPECT_EQ(config->io_threads, defaults.io_threads);
  EXPECT_EQ(config->worker_threads, defaults.worker_threads);
  EXPECT_EQ(config->log_level, defaults.log_level);
  EXPECT_EQ(config->tls_cert_file, "");
  EXPECT_EQ(config->insecure, defaults.insecure);
}

TEST(ConfigLoaderTest, BooleansAcceptTrueFalseOneZero) {
  struct Case {
    std::string_view text;
    bool expected;
  };
  for (const Case& test : {Case{"true", true}, Case{"True", true}, Case{"1", true},
                           Case{"false", false}, Case{"FALSE", false}, Case{"0", false}}) {
    ConfigSources sources;
    sources.env = FakeEnv({{"TOKENSCOPE_INSECURE", std::string(test.text)}});
    StatusOr<ServerConfig> config = LoadServerConfig(sources);
    ASSERT_TRUE(config.ok()) << test.text << ": " << config.status().ToString();
    EXPECT_EQ(config->insecure, test.expected) << test.text;
  }
  EXPECT_FALSE(Parse("server:\n  insecure: false\n")->insecure);
  EXPECT_THAT(Parse("server:\n  insecure: yes please\n").status().message(),
              HasSubstr("server.insecure: expected true or false (or 1 or 0), got \"yes please\""));
  ConfigSources sources;
  sources.env = FakeEnv({{"TOKENSCOPE_INSECURE", "2"}});
  EXPECT_THAT(LoadServerConfig(sources).status().message(),
              HasSubstr("environment variable TOKENSCOPE_INSECURE: expected true or false"));
}

TEST(ConfigLoaderTest, FlagBeatsEnvironmentForBooleans) {
  ConfigSources sources;
  sources.env = FakeEnv({{"TOKENSCOPE_INSECURE", "true"}});
  sources.flags.insecure = false;
  StatusOr<ServerConfig> config = LoadServerConfig(sources);
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_FALSE(config->insecure);
}

TEST(ConfigLoaderTest, TlsCertificateAndKeyGoTogether) {
  StatusOr<ServerConfig> config = Parse("tls:\n  cert_file: /c.pem\n");
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(config.status().message(), HasSubstr("tls.cert_file (--tls-cert"));
  EXPECT_THAT(config.status().message(), HasSubstr("tls.key_file (--tls-key"));
  EXPECT_THAT(config.status().message(), HasSubstr("only tls.cert_file is set"));

  ConfigSources sources;
  sources.env = FakeEnv({{"TOKENSCOPE_TLS_KEY", "/k.pem"}});
  EXPECT_THAT(LoadServerConfig(sources).status().message(), HasSubstr("only tls.key_file is set"));
}

TEST(ConfigLoaderTest, TlsFilesMustBeReadable) {
  TempFile cert("cert");
  ConfigSources sources;
  sources.flags.tls_cert_file = cert.path();
  sources.flags.tls_key_file = "/nonexistent/key.pem";
  StatusOr<ServerConfig> config = LoadServerConfig(sources);
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(config.status().message(),
              HasSubstr("tls.key_file: cannot read /nonexistent/key.pem: No such file"));

  // Parsing text alone does not touch the file system.
  EXPECT_TRUE(Parse("tls:\n  cert_file: /nonexistent/c\n  key_file: /nonexistent/k\n").ok());
}

}  // namespace
}  // namespace tokenscope::cli
