#include "base/file.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>

#include "testing/test_support.h"

namespace left4me {
namespace {

using FileTest = test::TempDirTest;

TEST_F(FileTest, AtomicWriteReplacesWholeFile) {
  std::string path = dir() + "/a.env";
  ASSERT_OK(write_file_atomic(path, "one\n"));
  ASSERT_OK(write_file_atomic(path, "two\n", 0600));
  auto content = read_file(path);
  ASSERT_OK(content);
  EXPECT_EQ(*content, "two\n");
  struct stat info {};
  ASSERT_EQ(::stat(path.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  // No temporary file is left beside it.
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir()), {}), 1);
}

TEST_F(FileTest, AtomicWriteIntoMissingDirectoryFailsCleanly) {
  auto status = write_file_atomic(dir() + "/missing/x", "x");
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.error().message().find("missing"), std::string::npos);
}

TEST_F(FileTest, ReadMissingFileNamesPath) {
  auto content = read_file(dir() + "/nope");
  ASSERT_FALSE(content.ok());
  EXPECT_EQ(content.error().code(), ErrorCode::kNotFound);
  EXPECT_NE(content.error().message().find(dir() + "/nope"), std::string::npos);
}

TEST_F(FileTest, MakeDirectoriesAndRemoveTree) {
  ASSERT_OK(make_directories(dir() + "/a/b/c"));
  EXPECT_TRUE(is_directory(dir() + "/a/b/c"));
  ASSERT_OK(make_directories(dir() + "/a/b/c"));
  // remove_tree does not follow a symlink out of the tree.
  std::string outside = dir() + "/outside";
  ASSERT_OK(make_directories(outside));
  ASSERT_OK(write_file_atomic(outside + "/keep", "k"));
  std::filesystem::create_directory_symlink(outside, dir() + "/a/link");
  ASSERT_OK(remove_tree(dir() + "/a"));
  EXPECT_FALSE(path_exists(dir() + "/a"));
  EXPECT_TRUE(path_exists(outside + "/keep"));
  EXPECT_OK(remove_tree(dir() + "/a"));
}

}  // namespace
}  // namespace left4me
