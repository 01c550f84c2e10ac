#include "auth/api_key.h"

#include <gtest/gtest.h>

#include <set>

namespace tokenscope::auth {
namespace {

TEST(ApiKeyTest, GeneratedKeysHaveTheirShapeAndOnlyTheHashIsKept) {
  auto created = GenerateKey("team-a", KeyScope::kReadWrite, 1763000000);
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  EXPECT_EQ(created->key.id.rfind("pk-ts-", 0), 0u);
  EXPECT_EQ(created->key.id.size(), 6u + 16u);
  EXPECT_EQ(created->secret.rfind("sk-ts-", 0), 0u);
  EXPECT_EQ(created->secret.size(), 6u + 32u);
  EXPECT_EQ(created->key.project, "team-a");
  EXPECT_EQ(created->key.created_unix, 1763000000);
  EXPECT_TRUE(created->key.active());
  EXPECT_EQ(created->key.secret_sha256, HashSecret(created->secret));
  EXPECT_EQ(created->key.secret_sha256.find(created->secret.substr(6)), std::string::npos);
}

TEST(ApiKeyTest, SecretsAndIdsDoNotRepeat) {
  std::set<std::string> secrets, ids;
  for (int i = 0; i < 200; ++i) {
    auto created = GenerateKey("p", KeyScope::kReadOnly, 0);
    ASSERT_TRUE(created.ok());
    EXPECT_TRUE(secrets.insert(created->secret).second);
    EXPECT_TRUE(ids.insert(created->key.id).second);
  }
}

TEST(ApiKeyTest, Sha256MatchesTheStandardVector) {
  EXPECT_EQ(HashSecret("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(ApiKeyTest, ProjectNamesAreChecked) {
  EXPECT_TRUE(ValidateProjectName("default").ok());
  EXPECT_TRUE(ValidateProjectName("team_a-2").ok());
  EXPECT_FALSE(ValidateProjectName("").ok());
  EXPECT_FALSE(ValidateProjectName("Team").ok());
  EXPECT_FALSE(ValidateProjectName("-x").ok());
  EXPECT_FALSE(ValidateProjectName("a/b").ok());
  EXPECT_FALSE(ValidateProjectName(std::string(65, 'a')).ok());
  EXPECT_FALSE(GenerateKey("a b", KeyScope::kReadOnly, 0).ok());
}

TEST(ApiKeyTest, ScopesAndComparison) {
  EXPECT_EQ(ParseKeyScope("read-only"), KeyScope::kReadOnly);
  EXPECT_EQ(ParseKeyScope("read-write"), KeyScope::kReadWrite);
  EXPECT_EQ(ParseKeyScope("admin"), std::nullopt);
  EXPECT_EQ(KeyScopeName(KeyScope::kReadWrite), "read-write");
  EXPECT_TRUE(ConstantTimeEquals("abc", "abc"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abd"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "ab"));
}

}  // namespace
}  // namespace tokenscope::auth
