#include "web/static_files.h"

#include <gtest/gtest.h>

namespace tokenscope::web {
namespace {

TEST(StaticFiles, RootAndAppRoutesServeIndexWithoutCaching) {
  for (std::string_view path : {"/", "/index.html", "/traces", "/traces/0af7651916cd43dd"}) {
    auto file = LookupStaticFile(path, "", "");
    ASSERT_TRUE(file.has_value()) << path;
    EXPECT_EQ(file->asset->path, "/index.html");
    EXPECT_EQ(file->asset->content_type, "text/html; charset=utf-8");
    EXPECT_EQ(file->cache_control, "no-cache");
  }
}

TEST(StaticFiles, MissingFilesAreNotTheApp) {
  EXPECT_FALSE(LookupStaticFile("/assets/index-00000000.js", "", "").has_value());
  EXPECT_FALSE(LookupStaticFile("/favicon-missing.ico", "", "").has_value());
}

TEST(StaticFiles, EveryAssetIsServedWithItsPolicy) {
  for (const Asset& asset : EmbeddedAssets()) {
    auto file = LookupStaticFile(asset.path, "", "gzip, br");
    ASSERT_TRUE(file.has_value()) << asset.path;
    EXPECT_EQ(file->asset, &asset);
    EXPECT_FALSE(asset.content_type.empty());
    if (asset.path.starts_with("/assets/")) {
      EXPECT_EQ(file->cache_control, "public, max-age=31536000, immutable");
    }
    EXPECT_EQ(file->gzip, !asset.gzip_body.empty());
  }
}

TEST(StaticFiles, ConditionalAndEncodingHeaders) {
  const Asset* index = FindAsset("/index.html");
  ASSERT_NE(index, nullptr);
  EXPECT_TRUE(LookupStaticFile("/", index->etag, "")->not_modified);
  EXPECT_TRUE(
      LookupStaticFile("/", std::string("\"x\", W/") + std::string(index->etag), "")->not_modified);
  EXPECT_FALSE(LookupStaticFile("/", "\"other\"", "")->not_modified);
  if (!index->gzip_body.empty()) {
    EXPECT_TRUE(LookupStaticFile("/", "", "gzip")->gzip);
    EXPECT_FALSE(LookupStaticFile("/", "", "gzip;q=0")->gzip);
    EXPECT_FALSE(LookupStaticFile("/", "", "br")->gzip);
  }
}

}  // namespace
}  // namespace tokenscope::web
