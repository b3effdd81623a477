#include "base/env_file.h"

#include <gtest/gtest.h>

#include "base/file.h"
#include "testing/test_support.h"

namespace left4me {
namespace {

TEST(EnvFileTest, ParsesAssignmentsCommentsExportAndQuotes) {
  auto values = parse_env_file(
      "# comment\n\nLEFT4ME_ROOT=/srv/l4d\nexport A_B=\"quoted value\"\nC='x'\n  D = spaced  \r\nE=a=b\nC=later\n",
      "host.env");
  ASSERT_OK(values);
  EXPECT_EQ((*values)["LEFT4ME_ROOT"], "/srv/l4d");
  EXPECT_EQ((*values)["A_B"], "quoted value");
  EXPECT_EQ((*values)["C"], "later");  // a later line wins
  EXPECT_EQ((*values)["D"], "spaced");
  EXPECT_EQ((*values)["E"], "a=b");
  EXPECT_EQ(values->size(), 5u);
}

TEST(EnvFileTest, ErrorsNameFileAndLine) {
  auto missing_equals = parse_env_file("A=1\nno equals here\n", "/etc/left4me/host.env");
  ASSERT_FALSE(missing_equals.ok());
  EXPECT_EQ(missing_equals.error().message(), "/etc/left4me/host.env:2: expected KEY=VALUE");
  auto bad_key = parse_env_file("1A=1\n", "f");
  ASSERT_FALSE(bad_key.ok());
  EXPECT_EQ(bad_key.error().message(), "f:1: invalid key '1A'");
  auto empty_key = parse_env_file("=1\n", "web.env");
  ASSERT_FALSE(empty_key.ok());
  EXPECT_EQ(empty_key.error().message(), "web.env:1: invalid key ''");
}

TEST(EnvFileTest, AMissingFileIsEmptyOnlyWhenOptional) {
  auto optional = read_env_file("/nonexistent/left4me/host.env", EnvFile::kOptional);
  ASSERT_OK(optional);
  EXPECT_TRUE(optional->empty());
  auto required = read_env_file("/nonexistent/left4me/host.env", EnvFile::kRequired);
  ASSERT_FALSE(required.ok());
  EXPECT_EQ(required.error().code(), ErrorCode::kNotFound);

  test::TempDir dir;
  std::string file = dir.path() + "/host.env";
  ASSERT_OK(write_file_atomic(file, "LEFT4ME_ROOT=/srv\n"));
  auto read = read_env_file(file, EnvFile::kRequired);
  ASSERT_OK(read);
  EXPECT_EQ((*read)["LEFT4ME_ROOT"], "/srv");
}

TEST(EnvFileTest, KeysRenderAsAMarkdownTable) {
  const EnvKeyDoc keys[] = {{"LEFT4ME_ROOT", "`/var/lib/left4me`", "the data root"}, {"X", "none", "a | b"}};
  EXPECT_EQ(env_keys_markdown(keys),
            "| key | when absent | what it does |\n|---|---|---|\n"
            "| `LEFT4ME_ROOT` | `/var/lib/left4me` | the data root |\n"
            "| `X` | none | a \\| b |\n");
}

}  // namespace
}  // namespace left4me
