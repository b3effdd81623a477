#include "base/file.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>

namespace left4me {
namespace {

class FileTest : public testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/left4me-file-test-XXXXXX";
    ASSERT_NE(::mkdtemp(pattern), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string dir_;
};

TEST_F(FileTest, AtomicWriteReplacesWholeFile) {
  std::string path = dir_ + "/a.env";
  ASSERT_TRUE(write_file_atomic(path, "one\n").ok());
  ASSERT_TRUE(write_file_atomic(path, "two\n", 0600).ok());
  auto content = read_file(path);
  ASSERT_TRUE(content.ok());
  EXPECT_EQ(*content, "two\n");
  struct stat info {};
  ASSERT_EQ(::stat(path.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  // No temporary file is left beside it.
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir_), {}), 1);
}

TEST_F(FileTest, AtomicWriteIntoMissingDirectoryFailsCleanly) {
  auto status = write_file_atomic(dir_ + "/missing/x", "x");
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.error().message().find("missing"), std::string::npos);
}

TEST_F(FileTest, ReadMissingFileNamesPath) {
  auto content = read_file(dir_ + "/nope");
  ASSERT_FALSE(content.ok());
  EXPECT_EQ(content.error().code(), ErrorCode::kNotFound);
  EXPECT_NE(content.error().message().find(dir_ + "/nope"), std::string::npos);
}

TEST_F(FileTest, MakeDirectoriesAndRemoveTree) {
  ASSERT_TRUE(make_directories(dir_ + "/a/b/c").ok());
  EXPECT_TRUE(is_directory(dir_ + "/a/b/c"));
  ASSERT_TRUE(make_directories(dir_ + "/a/b/c").ok());
  // remove_tree does not follow a symlink out of the tree.
  std::string outside = dir_ + "/outside";
  ASSERT_TRUE(make_directories(outside).ok());
  ASSERT_TRUE(write_file_atomic(outside + "/keep", "k").ok());
  std::filesystem::create_directory_symlink(outside, dir_ + "/a/link");
  ASSERT_TRUE(remove_tree(dir_ + "/a").ok());
  EXPECT_FALSE(path_exists(dir_ + "/a"));
  EXPECT_TRUE(path_exists(outside + "/keep"));
  EXPECT_TRUE(remove_tree(dir_ + "/a").ok());
}

}  // namespace
}  // namespace left4me
