// The embedded files: the vendored scripts are there, each with its content's version.
#include "web/assets.h"

#include <gtest/gtest.h>

namespace left4me::web {
namespace {

TEST(Assets, VendorFilesAreEmbeddedWithVersions) {
  for (const char* name : {"static/htmx.min.js", "static/htmx-sse.js", "static/app.css", "static/app.js"}) {
    std::optional<EmbeddedFile> file = find_embedded(name);
    ASSERT_TRUE(file.has_value()) << name;
    EXPECT_GT(file->content.size(), 1000u) << name;
    EXPECT_EQ(file->version.size(), 12u);
  }
  EXPECT_NE(find_embedded("static/htmx.min.js")->content.find("htmx"), std::string_view::npos);
  EXPECT_EQ(static_url("app.css").substr(0, 8), "/static/");
}

}  // namespace
}  // namespace left4me::web
