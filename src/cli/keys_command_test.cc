#include "cli/keys_command.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <sstream>

#include "auth/key_file.h"
#include "cli/traces_command.h"

namespace tokenscope::cli {
namespace {

class KeysCommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = ::testing::TempDir() + "tokenscope_keys_cli_XXXXXX";
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    options_.data_dir = pattern;
  }
  void TearDown() override { std::filesystem::remove_all(options_.data_dir); }

  KeysOptions options_;
  std::ostringstream out_, err_;
};

TEST_F(KeysCommandTest, CreatePrintsTheSecretOnceAndListNeverDoes) {
  ASSERT_EQ(RunKeysCreate(options_, "alpha", "read-only", "dashboards", out_, err_), kExitOk)
      << err_.str();
  const std::string created = out_.str();
  const size_t at = created.find("sk-ts-");
  ASSERT_NE(at, std::string::npos);
  const std::string secret = created.substr(at, 38);
  EXPECT_NE(created.find("read-only key for project 'alpha'"), std::string::npos);

  std::ostringstream list;
  ASSERT_EQ(RunKeysList(options_, std::nullopt, list, err_), kExitOk);
  EXPECT_NE(list.str().find("alpha"), std::string::npos);
  EXPECT_NE(list.str().find("dashboards"), std::string::npos);
  EXPECT_EQ(list.str().find(secret), std::string::npos);
  auto keys = auth::LoadKeyFile(auth::KeyFilePath(options_.data_dir));
  ASSERT_TRUE(keys.ok());
  ASSERT_EQ(keys->size(), 1u);
  EXPECT_EQ((*keys)[0].secret_sha256, auth::HashSecret(secret));
}

TEST_F(KeysCommandTest, JsonListFiltersByProjectAndRevokeMarksTheKey) {
  options_.json = true;
  ASSERT_EQ(RunKeysCreate(options_, "alpha", "read-write", "", out_, err_), kExitOk);
  ASSERT_EQ(RunKeysCreate(options_, "beta", "read-write", "", out_, err_), kExitOk);
  auto keys = auth::LoadKeyFile(auth::KeyFilePath(options_.data_dir));
  const std::string beta_id = (*keys)[1].id;

  std::ostringstream list;
  ASSERT_EQ(RunKeysList(options_, std::string("beta"), list, err_), kExitOk);
  EXPECT_EQ(list.str().find("alpha"), std::string::npos);
  EXPECT_NE(list.str().find(beta_id), std::string::npos);

  std::ostringstream revoked;
  ASSERT_EQ(RunKeysRevoke(options_, beta_id, revoked, err_), kExitOk);
  EXPECT_FALSE((*auth::LoadKeyFile(auth::KeyFilePath(options_.data_dir)))[1].active());
}

TEST_F(KeysCommandTest, BadArgumentsAreUsageErrors) {
  EXPECT_EQ(RunKeysCreate(options_, "alpha", "admin", "", out_, err_), kExitUsage);
  EXPECT_NE(err_.str().find("--scope"), std::string::npos);
  EXPECT_EQ(RunKeysCreate(options_, "Bad Name", "read-only", "", out_, err_), kExitUsage);
  EXPECT_EQ(RunKeysRevoke(options_, "pk-ts-nope", out_, err_), kExitUsage);
}

}  // namespace
}  // namespace tokenscope::cli
