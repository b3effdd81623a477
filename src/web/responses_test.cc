// Response helpers: the one check for a redirect target a visitor chose.
#include "web/responses.h"

#include <gtest/gtest.h>

namespace left4me::web {
namespace {

TEST(SameOriginPath, AcceptsOnlyPathsOfThisSite) {
  for (const char* fine : {"/", "/servers/3?notice=server_created", "/login?next=%2F", "/a/b#frag", "/%09/x"}) {
    EXPECT_EQ(same_origin_path(fine), std::optional<std::string>(fine)) << fine;
  }
  for (const char* bad :
       {"", "servers", "//evil.example", "/\\evil.example", "\\\\evil.example", "/\t/evil.example",
        "/\r\nX-Injected: 1", "/\n", "/a b", " /x", "https://evil.example", "/\x7f", "/\xe3\x80\x82"}) {
    EXPECT_EQ(same_origin_path(bad), std::nullopt) << bad;
  }
  EXPECT_EQ(same_origin_path(std::string_view("/a\0b", 4)), std::nullopt);
}

}  // namespace
}  // namespace left4me::web
