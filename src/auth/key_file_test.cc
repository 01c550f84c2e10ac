#include "auth/key_file.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <thread>
#include <vector>

namespace tokenscope::auth {
namespace {

class KeyFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = ::testing::TempDir() + "tokenscope_keys_XXXXXX";
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    path_ = KeyFilePath(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  void Write(const std::string& text) { std::ofstream(path_) << text; }

  std::string dir_;
  std::string path_;
};

TEST_F(KeyFileTest, AMissingFileHasNoKeys) {
  auto keys = LoadKeyFile(path_);
  ASSERT_TRUE(keys.ok());
  EXPECT_TRUE(keys->empty());
}

TEST_F(KeyFileTest, CreateListRevokeRoundTrip) {
  auto a = CreateKeyInFile(path_, "alpha", KeyScope::kReadWrite, "ingest");
  auto b = CreateKeyInFile(path_, "beta", KeyScope::kReadOnly, "");
  ASSERT_TRUE(a.ok() && b.ok());
  auto keys = LoadKeyFile(path_);
  ASSERT_TRUE(keys.ok()) << keys.status().ToString();
  ASSERT_EQ(keys->size(), 2u);
  EXPECT_EQ((*keys)[0].id, a->key.id);
  EXPECT_EQ((*keys)[0].description, "ingest");
  EXPECT_EQ((*keys)[1].scope, KeyScope::kReadOnly);
  // The secret itself is nowhere in the file.
  std::ifstream in(path_);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(text.find(a->secret), std::string::npos);
  EXPECT_NE(text.find(a->key.secret_sha256), std::string::npos);

  auto revoked = RevokeKeyInFile(path_, a->key.id);
  ASSERT_TRUE(revoked.ok());
  EXPECT_FALSE(revoked->active());
  auto again = RevokeKeyInFile(path_, a->key.id);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->revoked_unix, revoked->revoked_unix);
  EXPECT_EQ(RevokeKeyInFile(path_, "pk-ts-0000").status().code(), StatusCode::kNotFound);
  EXPECT_FALSE((*LoadKeyFile(path_))[0].active());
  EXPECT_TRUE((*LoadKeyFile(path_))[1].active());
}

TEST_F(KeyFileTest, ConcurrentCreatesLoseNothing) {
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&] {
      for (int j = 0; j < 5; ++j)
        ASSERT_TRUE(CreateKeyInFile(path_, "p", KeyScope::kReadOnly, "").ok());
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(LoadKeyFile(path_)->size(), 40u);
}

TEST_F(KeyFileTest, MalformedFilesAreErrorsNeverAnEmptyKeySet) {
  for (const char* text : {"", "{", "[]", R"({"version": 1})", R"({"version": 1, "keys": [1]})",
                           R"({"version": 1, "keys": [{"id": "x"}]})",
                           R"({"version": 1, "keys": [{"id":"x","project":"p","scope":"root",)"
                           R"("secret_sha256":"00","created_unix":0,"revoked_unix":0}]})"}) {
    Write(text);
    auto keys = LoadKeyFile(path_);
    EXPECT_FALSE(keys.ok()) << text;
    if (!keys.ok()) {
      EXPECT_NE(keys.status().message().find(path_), std::string::npos);
    }
  }
  Write(R"({"version": 9, "keys": []})");
  EXPECT_EQ(LoadKeyFile(path_).status().code(), StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace tokenscope::auth
