#include "auth/session_store.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <atomic>
#include <filesystem>
#include <thread>

#include "auth/key_file.h"

namespace tokenscope::auth {
namespace {

using std::chrono::hours;
using std::chrono::seconds;

constexpr int64_t kSecond = 1'000'000'000;

struct FakeClock {
  std::shared_ptr<std::atomic<int64_t>> now = std::make_shared<std::atomic<int64_t>>(kSecond);
  std::function<int64_t()> fn() const {
    return [n = now] { return n->load(); };
  }
  void Advance(int64_t ns) { *now += ns; }
};

StatusOr<Principal> Active(const std::string& key_id) {
  return Principal{"alpha", KeyScope::kReadWrite, key_id};
}

Principal Alpha(const std::string& key_id = "pk-ts-0000000000000001") {
  return Principal{"alpha", KeyScope::kReadWrite, key_id};
}

TEST(SessionStoreTest, TokensAreRandomHexAndOnlyTheirHashIsKept) {
  SessionStore store;
  auto a = store.Create(Alpha());
  auto b = store.Create(Alpha());
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->token.size(), 64u);
  EXPECT_EQ(a->token.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_NE(a->token, b->token);
  // SHA-256 hex, and not the token itself.
  EXPECT_EQ(SessionStore::HashToken(a->token), HashSecret(a->token));
  EXPECT_EQ(SessionStore::HashToken(a->token).size(), 64u);
  EXPECT_NE(SessionStore::HashToken(a->token), a->token);
  // The hash does not authenticate: only the token does.
  EXPECT_FALSE(store.Lookup(SessionStore::HashToken(a->token), Active).ok());
  auto found = store.Lookup(a->token, Active);
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(found->principal.project, "alpha");
  EXPECT_EQ(found->principal.key_id, "pk-ts-0000000000000001");
  EXPECT_EQ(found->expires_unix_ns, a->expires_unix_ns);
  EXPECT_EQ(store.Lookup("", Active).status().code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(store.Lookup("nope", Active).status().code(), StatusCode::kUnauthenticated);
}

TEST(SessionStoreTest, FixedExpiry) {
  FakeClock clock;
  SessionStore store({hours(12), 100, clock.fn()});
  auto made = store.Create(Alpha());
  ASSERT_TRUE(made.ok());
  EXPECT_EQ(made->expires_unix_ns, kSecond + 12 * 3600 * kSecond);
  auto longer = store.Create(Alpha(), hours(24 * 30));
  ASSERT_TRUE(longer.ok());
  EXPECT_EQ(longer->expires_unix_ns, kSecond + 30 * 24 * 3600 * kSecond);

  clock.Advance(12 * 3600 * kSecond - 1);
  ASSERT_TRUE(store.Lookup(made->token, Active).ok());  // use does not extend it
  clock.Advance(1);
  EXPECT_EQ(store.Lookup(made->token, Active).status().code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(store.size(), 1u);  // the expired one is gone
  EXPECT_TRUE(store.Lookup(longer->token, Active).ok());
}

TEST(SessionStoreTest, EvictsExpiredThenOldestWhenFull) {
  FakeClock clock;
  SessionStore store({hours(1), 3, clock.fn()});
  auto short_lived = store.Create(Alpha(), seconds(10));
  auto first = store.Create(Alpha());
  auto second = store.Create(Alpha());
  ASSERT_TRUE(short_lived.ok() && first.ok() && second.ok());
  clock.Advance(11 * kSecond);
  auto third = store.Create(Alpha());  // drops the expired one, not `first`
  ASSERT_TRUE(third.ok());
  EXPECT_EQ(store.size(), 3u);
  EXPECT_TRUE(store.Lookup(first->token, Active).ok());
  auto fourth = store.Create(Alpha());  // drops the oldest: `first`
  ASSERT_TRUE(fourth.ok());
  EXPECT_EQ(store.size(), 3u);
  EXPECT_FALSE(store.Lookup(first->token, Active).ok());
  for (const auto* kept : {&second, &third, &fourth}) {
    EXPECT_TRUE(store.Lookup((*kept)->token, Active).ok());
  }
}

TEST(SessionStoreTest, DeleteSignsOut) {
  SessionStore store;
  auto made = store.Create(Alpha());
  ASSERT_TRUE(made.ok());
  EXPECT_TRUE(store.Delete(made->token));
  EXPECT_FALSE(store.Delete(made->token));
  EXPECT_FALSE(store.Lookup(made->token, Active).ok());
  EXPECT_EQ(store.size(), 0u);
}

TEST(SessionStoreTest, TheKeyIsCheckedOnEveryUse) {
  SessionStore store;
  auto made = store.Create(Alpha("pk-ts-00000000000000aa"));
  ASSERT_TRUE(made.ok());
  std::string seen;
  auto read_only = [&](const std::string& id) -> StatusOr<Principal> {
    seen = id;
    return PermissionDenied("read-only");
  };
  EXPECT_EQ(store.Lookup(made->token, read_only).status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(seen, "pk-ts-00000000000000aa");
  EXPECT_TRUE(store.Lookup(made->token, Active).ok());  // a denied write keeps the session
  auto revoked = [](const std::string&) -> StatusOr<Principal> {
    return Unauthenticated("unknown or revoked API key");
  };
  EXPECT_EQ(store.Lookup(made->token, revoked).status().code(), StatusCode::kUnauthenticated);
  EXPECT_FALSE(store.Lookup(made->token, Active).ok());  // and a revoked key deletes it
}

TEST(SessionStoreTest, RevokingTheKeyEndsItsSessions) {
  std::string pattern = ::testing::TempDir() + "tokenscope_session_XXXXXX";
  ASSERT_NE(mkdtemp(pattern.data()), nullptr);
  const std::string path = KeyFilePath(pattern);
  auto kept = CreateKeyInFile(path, "alpha", KeyScope::kReadOnly, "");
  auto doomed = CreateKeyInFile(path, "alpha", KeyScope::kReadWrite, "");
  ASSERT_TRUE(kept.ok() && doomed.ok());
  Authenticator auth(path, "default");
  ASSERT_TRUE(auth.Load().ok());

  auto principal = auth.Authenticate({"Bearer " + doomed->secret, ""}, Access::kRead);
  ASSERT_TRUE(principal.ok());
  SessionStore store;
  auto made = store.Create(*principal);
  auto other = store.Create(*auth.Authenticate({"", kept->secret}, Access::kRead));
  ASSERT_TRUE(made.ok() && other.ok());
  auto write = [&](const std::string& id) { return auth.AuthenticateKeyId(id, Access::kWrite); };
  auto read = [&](const std::string& id) { return auth.AuthenticateKeyId(id, Access::kRead); };
  ASSERT_TRUE(store.Lookup(made->token, write).ok());
  EXPECT_EQ(store.Lookup(other->token, write).status().code(), StatusCode::kPermissionDenied);
  EXPECT_TRUE(store.Lookup(other->token, read).ok());

  ASSERT_TRUE(RevokeKeyInFile(path, doomed->key.id).ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));  // the reload interval
  EXPECT_EQ(store.Lookup(made->token, read).status().code(), StatusCode::kUnauthenticated);
  EXPECT_TRUE(store.Lookup(other->token, read).ok());
  std::filesystem::remove_all(pattern);
}

}  // namespace
}  // namespace tokenscope::auth
