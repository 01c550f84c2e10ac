#include "auth/authenticator.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "auth/key_file.h"
#include "base/base64.h"

namespace tokenscope::auth {
namespace {

class AuthenticatorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = ::testing::TempDir() + "tokenscope_auth_XXXXXX";
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    path_ = KeyFilePath(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  NewKey Create(const std::string& project, KeyScope scope) {
    auto created = CreateKeyInFile(path_, project, scope, "");
    EXPECT_TRUE(created.ok());
    return *created;
  }

  std::string dir_;
  std::string path_;
};

PresentedCredentials Bearer(const std::string& secret) {
  return {"Bearer " + secret, ""};
}

TEST_F(AuthenticatorTest, LocalModeWithoutKeys) {
  Authenticator auth(path_, "default");
  ASSERT_TRUE(auth.Load().ok());
  EXPECT_TRUE(auth.local_mode());
  auto p = auth.Authenticate({}, Access::kWrite);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->project, "default");
}

TEST_F(AuthenticatorTest, EveryHeaderForm) {
  const NewKey rw = Create("alpha", KeyScope::kReadWrite);
  Authenticator auth(path_, "default");
  ASSERT_TRUE(auth.Load().ok());
  EXPECT_FALSE(auth.local_mode());

  for (const PresentedCredentials& c :
       {Bearer(rw.secret), PresentedCredentials{"bearer  " + rw.secret + " ", ""},
        PresentedCredentials{"", rw.secret},
        PresentedCredentials{"Basic " + Base64Encode(rw.key.id + ":" + rw.secret), ""}}) {
    auto p = auth.Authenticate(c, Access::kWrite);
    ASSERT_TRUE(p.ok()) << c.authorization << " " << p.status().ToString();
    EXPECT_EQ(p->project, "alpha");
    EXPECT_EQ(p->key_id, rw.key.id);
  }
}

TEST_F(AuthenticatorTest, WrongMissingMalformedAndMismatchedAreUnauthenticated) {
  const NewKey rw = Create("alpha", KeyScope::kReadWrite);
  const NewKey other = Create("beta", KeyScope::kReadWrite);
  Authenticator auth(path_, "default");
  ASSERT_TRUE(auth.Load().ok());
  for (const PresentedCredentials& c :
       {PresentedCredentials{}, Bearer("sk-ts-wrong"), Bearer(""),
        PresentedCredentials{"Digest abc", ""}, PresentedCredentials{"Basic !!!", ""},
        PresentedCredentials{"Basic " + Base64Encode("no-colon"), ""},
        PresentedCredentials{"Basic " + Base64Encode(other.key.id + ":" + rw.secret), ""}}) {
    EXPECT_EQ(auth.Authenticate(c, Access::kRead).status().code(), StatusCode::kUnauthenticated)
        << c.authorization;
  }
}

TEST_F(AuthenticatorTest, ReadOnlyKeysCannotWrite) {
  const NewKey ro = Create("alpha", KeyScope::kReadOnly);
  Authenticator auth(path_, "default");
  ASSERT_TRUE(auth.Load().ok());
  EXPECT_TRUE(auth.Authenticate(Bearer(ro.secret), Access::kRead).ok());
  EXPECT_EQ(auth.Authenticate(Bearer(ro.secret), Access::kWrite).status().code(),
            StatusCode::kPermissionDenied);
}

TEST_F(AuthenticatorTest, FileChangesApplyWithoutRestart) {
  Authenticator auth(path_, "default");
  ASSERT_TRUE(auth.Load().ok());
  EXPECT_TRUE(auth.local_mode());
  const NewKey key = Create("alpha", KeyScope::kReadWrite);
  // Within about a second the new key is in force and local mode is over.
  bool switched = false;
  for (int i = 0; i < 40 && !switched; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    switched = !auth.local_mode();
  }
  ASSERT_TRUE(switched);
  EXPECT_TRUE(auth.Authenticate(Bearer(key.secret), Access::kWrite).ok());
  ASSERT_TRUE(RevokeKeyInFile(path_, key.key.id).ok());
  // Revoking the last key would reopen local mode; keep another key so that it does not.
  Create("beta", KeyScope::kReadOnly);
  bool revoked = false;
  for (int i = 0; i < 40 && !revoked; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    revoked = !auth.Authenticate(Bearer(key.secret), Access::kRead).ok();
  }
  EXPECT_TRUE(revoked);
}

TEST_F(AuthenticatorTest, AMalformedFileFailsLoadAndAReloadKeepsTheLastGoodKeys) {
  const NewKey key = Create("alpha", KeyScope::kReadWrite);
  Authenticator auth(path_, "default");
  ASSERT_TRUE(auth.Load().ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  {
    std::ofstream out(path_);
    out << "{ broken";
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(1200));
  EXPECT_TRUE(auth.Authenticate(Bearer(key.secret), Access::kWrite).ok());
  Authenticator fresh(path_, "default");
  EXPECT_FALSE(fresh.Load().ok());
}

}  // namespace
}  // namespace tokenscope::auth
