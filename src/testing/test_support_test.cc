#include "testing/test_support.h"

#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>

#include <string>

#include "base/file.h"

namespace left4me::test {
namespace {

Status broken() { return Error::not_found("state.json: no such file"); }

TEST(TestSupportTest, OkMacrosPassOnSuccessAndPrintTheErrorOtherwise) {
  EXPECT_OK(ok_status());
  ASSERT_OK(Result<int>(3));
  EXPECT_NONFATAL_FAILURE(EXPECT_OK(broken()), "broken() failed: state.json: no such file");
  EXPECT_FATAL_FAILURE(ASSERT_OK(Result<int>(Error::invalid("port: 0 is outside 1..65535"))),
                       "failed: port: 0 is outside 1..65535");
}

TEST(TestSupportTest, TempDirIsPrivateAndRemovedWithItsContents) {
  std::string path;
  {
    TempDir temp;
    path = temp.path();
    EXPECT_TRUE(is_directory(path));
    ASSERT_OK(make_directories(path + "/a/b"));
    ASSERT_OK(write_file_atomic(path + "/a/b/c", "x"));
  }
  EXPECT_FALSE(path_exists(path));
  TempDir first;
  TempDir second;
  EXPECT_NE(first.path(), second.path());
}

}  // namespace
}  // namespace left4me::test
